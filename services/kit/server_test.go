package kit

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgxpool"
)

type echoInput struct {
	Body struct {
		Nom  string `json:"nom" maxLength:"100000"`
		Prix Cents  `json:"prix,omitempty"`
	}
}

type echoOutput struct {
	Body struct {
		Nom  string `json:"nom"`
		Prix Cents  `json:"prix"`
	}
}

// newTestApp is a service without a database, with one huma operation that
// echoes its body, one that answers a business 422 and routes that panic.
func newTestApp(t *testing.T, maxBody int64) *httptest.Server {
	t.Helper()
	app := NewApp(Config{Service: "kit-test", MaxBodyBytes: maxBody}, discardLog(), nil)
	huma.Register(app.API, Access(huma.Operation{OperationID: "echo", Method: http.MethodPost, Path: "/echo",
		DefaultStatus: http.StatusCreated}, Public), func(_ context.Context, in *echoInput) (*echoOutput, error) {
		out := &echoOutput{}
		out.Body.Nom, out.Body.Prix = in.Body.Nom, in.Body.Prix
		return out, nil
	})
	huma.Register(app.API, Access(huma.Operation{OperationID: "refuse", Method: http.MethodPost, Path: "/refuse"}, Public),
		func(_ context.Context, _ *echoInput) (*echoOutput, error) {
			return nil, Invalid("quantite must be positive", FieldError("body.lignes[1].quantite", "must be > 0", 0))
		})
	huma.Register(app.API, Access(huma.Operation{OperationID: "boom", Method: http.MethodGet, Path: "/boom-huma"}, Public),
		func(context.Context, *struct{}) (*echoOutput, error) { panic("huma handler bug") })
	app.Router.Get("/boom", func(http.ResponseWriter, *http.Request) { panic("handler bug") })
	srv := httptest.NewServer(app.Router)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status int
	header http.Header
	body   string
}

func call(t *testing.T, method, url, body string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func requireProblem(t *testing.T, a answer, status int) huma.ErrorModel {
	t.Helper()
	if a.status != status {
		t.Fatalf("status = %d, want %d; body %s", a.status, status, a.body)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("Content-Type = %q, want application/problem+json", ct)
	}
	var p huma.ErrorModel
	if err := json.Unmarshal([]byte(a.body), &p); err != nil {
		t.Fatalf("problem body %q: %v", a.body, err)
	}
	if p.Status != status || p.Title == "" {
		t.Fatalf("problem = %+v", p)
	}
	return p
}

func TestNewApp_HealthAndReadinessWithoutAPool(t *testing.T) {
	srv := newTestApp(t, 64<<10)
	for path, want := range map[string]string{"/healthz": `"ok"`, "/readyz": `"ready"`} {
		a := call(t, http.MethodGet, srv.URL+path, "")
		if a.status != http.StatusOK || !strings.Contains(a.body, want) {
			t.Errorf("GET %s = %d %s", path, a.status, a.body)
		}
		if a.header.Get(HeaderRequestID) == "" {
			t.Errorf("GET %s has no %s", path, HeaderRequestID)
		}
	}
}

func TestNewApp_ServesDocsOpenAPIAndMetrics(t *testing.T) {
	srv := newTestApp(t, 64<<10)
	call(t, http.MethodGet, srv.URL+"/healthz", "")

	openapi := call(t, http.MethodGet, srv.URL+"/openapi.json", "")
	if openapi.status != http.StatusOK || !strings.Contains(openapi.body, `"/echo"`) {
		t.Fatalf("GET /openapi.json = %d %.200s", openapi.status, openapi.body)
	}
	if !strings.Contains(openapi.body, `"Multi-magasins kit-test"`) {
		t.Errorf("OpenAPI title does not name the service: %.300s", openapi.body)
	}
	if docs := call(t, http.MethodGet, srv.URL+"/docs", ""); docs.status != http.StatusOK {
		t.Fatalf("GET /docs = %d", docs.status)
	}
	metrics := call(t, http.MethodGet, srv.URL+"/metrics", "")
	if metrics.status != http.StatusOK {
		t.Fatalf("GET /metrics = %d", metrics.status)
	}
	for _, want := range []string{
		`http_requests_total{code="200",method="GET",route="/healthz",service="kit-test"} 1`,
		"http_request_duration_seconds_bucket", "go_goroutines", "process_",
	} {
		if !strings.Contains(metrics.body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestNewApp_HumaOperationRoundTrip(t *testing.T) {
	srv := newTestApp(t, 64<<10)
	a := call(t, http.MethodPost, srv.URL+"/echo", `{"nom":"Café","prix":19.99}`)
	if a.status != http.StatusCreated || !strings.Contains(a.body, `"prix":19.99`) {
		t.Fatalf("POST /echo = %d %s", a.status, a.body)
	}
	if strings.Contains(a.body, "$schema") {
		t.Errorf("answers must not carry $schema links: %s", a.body)
	}
}

func TestNewApp_BadInputIsAProblem(t *testing.T) {
	srv := newTestApp(t, 64<<10)
	tests := []struct {
		name, body string
		status     int
	}{
		{"malformed JSON", `{"nom":`, http.StatusBadRequest},
		{"unknown field", `{"nom":"a","extra":1}`, http.StatusUnprocessableEntity},
		{"wrong type", `{"nom":1}`, http.StatusUnprocessableEntity},
		{"three decimals", `{"nom":"a","prix":1.234}`, http.StatusUnprocessableEntity},
		{"money as a string", `{"nom":"a","prix":"1.00"}`, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireProblem(t, call(t, http.MethodPost, srv.URL+"/echo", tt.body), tt.status)
		})
	}
}

func TestNewApp_BusinessRuleNamesTheField(t *testing.T) {
	srv := newTestApp(t, 64<<10)
	p := requireProblem(t, call(t, http.MethodPost, srv.URL+"/refuse", `{"nom":"a"}`), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Location != "body.lignes[1].quantite" {
		t.Fatalf("errors = %+v", p.Errors)
	}
}

func TestNewApp_UnknownRouteAndMethodAreProblems(t *testing.T) {
	srv := newTestApp(t, 64<<10)
	p := requireProblem(t, call(t, http.MethodGet, srv.URL+"/nulle-part", ""), http.StatusNotFound)
	if !strings.Contains(p.Detail, "/nulle-part") {
		t.Errorf("detail = %q", p.Detail)
	}
	requireProblem(t, call(t, http.MethodDelete, srv.URL+"/healthz", ""), http.StatusMethodNotAllowed)

	// The path of an operation with a method it does not take, and a path
	// under it that is none: problems too, whose detail echoes little of it.
	p = requireProblem(t, call(t, http.MethodDelete, srv.URL+"/echo", ""), http.StatusMethodNotAllowed)
	if !strings.Contains(p.Detail, "DELETE") {
		t.Errorf("detail %q", p.Detail)
	}
	requireProblem(t, call(t, http.MethodGet, srv.URL+"/echo", ""), http.StatusMethodNotAllowed)
	p = requireProblem(t, call(t, http.MethodGet, srv.URL+"/echo/"+strings.Repeat("x", 4000), ""), http.StatusNotFound)
	if len(p.Detail) > 2*MaxEchoBytes {
		t.Errorf("a 404 echoes %d bytes of path", len(p.Detail))
	}
}

func TestNewApp_PanicIsA500AndTheServerSurvives(t *testing.T) {
	srv := newTestApp(t, 64<<10)
	for _, path := range []string{"/boom", "/boom-huma"} {
		p := requireProblem(t, call(t, http.MethodGet, srv.URL+path, ""), http.StatusInternalServerError)
		if strings.Contains(p.Detail, "bug") {
			t.Errorf("the panic value leaked to the client: %q", p.Detail)
		}
	}
	if a := call(t, http.MethodGet, srv.URL+"/healthz", ""); a.status != http.StatusOK {
		t.Fatalf("after a panic GET /healthz = %d", a.status)
	}
	metrics := call(t, http.MethodGet, srv.URL+"/metrics", "").body
	if !strings.Contains(metrics, `http_requests_total{code="500",method="GET",route="/boom",service="kit-test"} 1`) {
		t.Errorf("the panic was not counted as a 500")
	}
}

func TestNewApp_BodyOverTheLimitIs413(t *testing.T) {
	const limit = 1 << 10
	srv := newTestApp(t, limit)
	ok := call(t, http.MethodPost, srv.URL+"/echo", `{"nom":"`+strings.Repeat("a", limit/2)+`"}`)
	if ok.status != http.StatusCreated {
		t.Fatalf("a body under the limit = %d %s", ok.status, ok.body)
	}
	big := `{"nom":"` + strings.Repeat("a", 4*limit) + `"}`
	requireProblem(t, call(t, http.MethodPost, srv.URL+"/echo", big), http.StatusRequestEntityTooLarge)
}

func TestServe_StopsCleanlyWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started, release := make(chan struct{}), make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "drained")
	})
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	cfg := Config{Addr: "127.0.0.1:0", ShutdownTimeout: 10 * time.Second}
	go func() { done <- Serve(ctx, cfg, discardLog(), handler, func(a string) { addrc <- a }) }()
	addr := <-addrc

	// A request in flight when the context ends is answered, not cut.
	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{status: resp.StatusCode, body: string(b), err: err}
	}()
	<-started
	cancel()
	close(release)
	if r := <-got; r.err != nil || r.status != http.StatusOK || r.body != "drained" {
		t.Fatalf("in-flight request = %d %q %v", r.status, r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve = %v, want nil", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("still listening after Serve returned")
	}
}

func TestServe_ReportsABusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Serve(context.Background(), Config{Addr: ln.Addr().String()}, discardLog(), http.NotFoundHandler(), nil)
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("Serve on a busy address = %v", err)
	}
}

func TestRun_FailsFastOnBadConfig(t *testing.T) {
	err := Run(context.Background(), Service{Name: "web", Port: 8004}, mapEnv(map[string]string{"PORT": "x"}),
		io.Discard, func(*App, *pgxpool.Pool) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Fatalf("Run = %v", err)
	}
}

// serve runs NewApp's router behind Serve, as a service runs, and returns
// its address.
func serve(t *testing.T, maxBody int64) string {
	t.Helper()
	app := NewApp(Config{Service: "kit-test", MaxBodyBytes: maxBody}, discardLog(), nil)
	huma.Register(app.API, Access(huma.Operation{OperationID: "echo", Method: http.MethodPost, Path: "/echo",
		DefaultStatus: http.StatusCreated}, Public), func(_ context.Context, in *echoInput) (*echoOutput, error) {
		out := &echoOutput{}
		out.Body.Nom = in.Body.Nom
		return out, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- Serve(ctx, Config{Addr: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second}, discardLog(), app.Router,
			func(a string) { addrc <- a })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve = %v", err)
		}
	})
	return <-addrc
}

// A client that sends its whole body before reading the answer, as
// Python's urllib does (no Expect: 100-continue), must read the 413: the
// server reads the rest of the body instead of closing on it.
func TestServe_A413IsReadByAClientThatSendsItsWholeBody(t *testing.T) {
	addr := serve(t, 64<<10)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A hang guard, not a measure: a server that stopped reading would block the write forever.
	if err := conn.SetDeadline(time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	body := `{"nom":"` + strings.Repeat("x", 5<<20) + `"}`
	head := "POST /echo HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+body); err != nil {
		t.Fatalf("writing the body: %v (the server closed while it was sent)", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer's body: %v", err)
	}
	requireProblem(t, answer{status: resp.StatusCode, header: resp.Header, body: string(b)}, http.StatusRequestEntityTooLarge)
}

func TestServe_AnOversizedHeadIsA431Problem(t *testing.T) {
	addr := serve(t, 64<<10)
	long := call(t, http.MethodGet, "http://"+addr+"/"+strings.Repeat("p", 100_000), "")
	p := requireProblem(t, long, http.StatusRequestHeaderFieldsTooLarge)
	if len(long.body) > 1<<10 {
		t.Errorf("a %d-byte answer to a long path", len(long.body))
	}
	if !strings.Contains(p.Detail, "target") {
		t.Errorf("detail %q", p.Detail)
	}
	query := call(t, http.MethodGet, "http://"+addr+"/healthz?q="+strings.Repeat("q", MaxTargetBytes), "")
	requireProblem(t, query, http.StatusRequestHeaderFieldsTooLarge)

	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Big", strings.Repeat("h", MaxHeadBytes))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	requireProblem(t, answer{status: resp.StatusCode, header: resp.Header, body: string(b)}, http.StatusRequestHeaderFieldsTooLarge)

	// Under the bounds, all is well.
	if a := call(t, http.MethodGet, "http://"+addr+"/healthz?q="+strings.Repeat("q", 4<<10), ""); a.status != http.StatusOK {
		t.Fatalf("a 4 kB query = %d", a.status)
	}
}

func TestNewApp_UnknownPathAndMethodOfAnOperationAreProblems(t *testing.T) {
	srv := newTestApp(t, 64<<10)
	p := requireProblem(t, call(t, http.MethodDelete, srv.URL+"/echo", ""), http.StatusMethodNotAllowed)
	if !strings.Contains(p.Detail, "DELETE") {
		t.Errorf("detail %q", p.Detail)
	}
	requireProblem(t, call(t, http.MethodGet, srv.URL+"/echo", ""), http.StatusMethodNotAllowed)
	p = requireProblem(t, call(t, http.MethodGet, srv.URL+"/echo/"+strings.Repeat("x", 4000), ""), http.StatusNotFound)
	if len(p.Detail) > 2*MaxEchoBytes {
		t.Errorf("a 404 echoes %d bytes of path", len(p.Detail))
	}
}
