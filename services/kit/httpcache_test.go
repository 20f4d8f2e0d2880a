package kit

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

type prixInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type prixOutput struct {
	Body struct {
		ID   int64 `json:"id"`
		Prix Cents `json:"prix"`
	}
}

// newCachedApp serves GET /prix/{id} through HTTPCache; prix is what it
// answers, so a test can change it between requests.
func newCachedApp(t *testing.T, prix *atomic.Int64) *httptest.Server {
	t.Helper()
	app := NewApp(Config{Service: "kit-test", MaxBodyBytes: 1 << 10}, discardLog(), nil)
	huma.Register(app.API, Access(huma.Operation{OperationID: "prix", Method: http.MethodGet, Path: "/prix/{id}",
		Middlewares: huma.Middlewares{HTTPCache(5 * time.Second)}}, Public),
		func(_ context.Context, in *prixInput) (*prixOutput, error) {
			if in.ID == 404 {
				return nil, NotFound("path.id", "no such product", in.ID)
			}
			out := &prixOutput{}
			out.Body.ID, out.Body.Prix = in.ID, Cents(prix.Load())
			return out, nil
		})
	srv := httptest.NewServer(app.Router)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func TestHTTPCache_ETagOfTheExactBodyAndCacheControl(t *testing.T) {
	var prix atomic.Int64
	prix.Store(1000)
	srv := newCachedApp(t, &prix)

	a := get(t, srv.URL+"/prix/1")
	if a.status != http.StatusOK || a.body != `{"id":1,"prix":10.00}`+"\n" {
		t.Fatalf("GET = %d %q", a.status, a.body)
	}
	if got, want := a.header.Get("ETag"), ETag([]byte(a.body)); got != want {
		t.Fatalf("ETag = %s, want the hash of the body %s", got, want)
	}
	if got := a.header.Get("Cache-Control"); got != "public, max-age=5" {
		t.Fatalf("Cache-Control = %q", got)
	}
	if got := a.header.Get("Content-Length"); got != strconv.Itoa(len(a.body)) {
		t.Fatalf("Content-Length = %q for %d bytes", got, len(a.body))
	}
	if a.header.Get("Content-Type") != "application/json" {
		t.Fatalf("Content-Type = %q", a.header.Get("Content-Type"))
	}
	if again := get(t, srv.URL+"/prix/1"); again.header.Get("ETag") != a.header.Get("ETag") {
		t.Fatal("the same body got another ETag")
	}
	if other := get(t, srv.URL+"/prix/2"); other.header.Get("ETag") == a.header.Get("ETag") {
		t.Fatal("another body got the same ETag")
	}
}

func TestHTTPCache_IfNoneMatchGivesNotModifiedUntilTheBodyChanges(t *testing.T) {
	var prix atomic.Int64
	prix.Store(1000)
	srv := newCachedApp(t, &prix)
	etag := get(t, srv.URL+"/prix/1").header.Get("ETag")

	for _, inm := range []string{etag, "W/" + etag, `"autre", ` + etag, "*"} {
		a := get(t, srv.URL+"/prix/1", "If-None-Match", inm)
		if a.status != http.StatusNotModified || a.body != "" {
			t.Fatalf("If-None-Match %s = %d %q, want 304 without body", inm, a.status, a.body)
		}
		if a.header.Get("ETag") != etag || a.header.Get("Cache-Control") != "public, max-age=5" {
			t.Fatalf("304 headers %v: the validators and caching fields of the 200 are due", a.header)
		}
	}
	if a := get(t, srv.URL+"/prix/1", "If-None-Match", `"autre"`); a.status != http.StatusOK {
		t.Fatalf("another tag = %d, want 200", a.status)
	}

	prix.Store(1250) // the price changes: the old tag no longer matches
	a := get(t, srv.URL+"/prix/1", "If-None-Match", etag)
	if a.status != http.StatusOK || a.body != `{"id":1,"prix":12.50}`+"\n" {
		t.Fatalf("after the change = %d %q, want 200 with the new price", a.status, a.body)
	}
	if a.header.Get("ETag") == etag {
		t.Fatal("a new body kept the old ETag")
	}
}

func TestHTTPCache_ErrorsAreNeitherTaggedNorCacheable(t *testing.T) {
	var prix atomic.Int64
	srv := newCachedApp(t, &prix)
	for path, status := range map[string]int{"/prix/404": http.StatusNotFound, "/prix/0": http.StatusUnprocessableEntity} {
		a := get(t, srv.URL+path, "If-None-Match", "*")
		requireProblem(t, a, status)
		if a.header.Get("ETag") != "" || a.header.Get("Cache-Control") != "" {
			t.Fatalf("GET %s carries ETag %q, Cache-Control %q", path, a.header.Get("ETag"), a.header.Get("Cache-Control"))
		}
	}
}

func TestNoneMatch(t *testing.T) {
	for header, want := range map[string]bool{
		"": false, `"a"`: true, `W/"a"`: true, `"b"`: false, `"b" , "a"`: true, "*": true, `a`: false,
	} {
		if got := NoneMatch(header, `"a"`); got != want {
			t.Errorf("NoneMatch(%q) = %v, want %v", header, got, want)
		}
	}
}
