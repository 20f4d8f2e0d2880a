package kit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
)

type ligneInput struct {
	Cle  string `json:"cle" maxLength:"200"`
	Prix Cents  `json:"prix"`
}

type policyInput struct {
	Cle  string         `path:"cle" maxLength:"200"`
	Q    string         `query:"q"` // no bound of its own: the default applies
	Key  IdempotencyKey `header:"Idempotency-Key"`
	Body struct {
		Nom    string       `json:"nom"`
		Lignes []ligneInput `json:"lignes" minItems:"1"`
		Notes  []string     `json:"notes,omitempty"`
		N      int64        `json:"n,omitempty"`
	}
}

type policyOutput struct {
	Body struct {
		Cle, Q, Key, Nom string
		Lignes           int
	}
}

type formInput struct {
	RawBody []byte
}

// newPolicyApp serves /policy/{cle}, which takes text in every place a
// request has (path, query, header, body), lists and amounts, and /form,
// which reads a form body as identite's token endpoint does.
func newPolicyApp(t *testing.T) *httptest.Server {
	t.Helper()
	app := NewApp(Config{Service: "kit-test", MaxBodyBytes: 64 << 10}, discardLog(), nil)
	huma.Register(app.API, Access(huma.Operation{OperationID: "policy", Method: http.MethodPost, Path: "/policy/{cle}"}, Public),
		func(_ context.Context, in *policyInput) (*policyOutput, error) {
			out := &policyOutput{}
			out.Body.Cle, out.Body.Q, out.Body.Key, out.Body.Nom = in.Cle, in.Q, string(in.Key), in.Body.Nom
			out.Body.Lignes = len(in.Body.Lignes)
			return out, nil
		})
	huma.Register(app.API, Access(huma.Operation{OperationID: "form", Method: http.MethodPost, Path: "/form"}, Public),
		func(_ context.Context, in *formInput) (*struct{ Body string }, error) {
			return &struct{ Body string }{Body: string(in.RawBody)}, nil
		})
	srv := httptest.NewServer(app.Router)
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, method, url, contentType, body string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b.String()}
}

// requireField checks a 422 names location, and that no detail echoes a
// long value back.
func requireField(t *testing.T, a answer, location, message string) huma.ErrorDetail {
	t.Helper()
	p := requireProblem(t, a, http.StatusUnprocessableEntity)
	for _, d := range p.Errors {
		if s, ok := d.Value.(string); ok && len(s) > MaxEchoBytes+len("…") {
			t.Errorf("%s echoes %d bytes of value", d.Location, len(s))
		}
	}
	for _, d := range p.Errors {
		if d.Location == location {
			if !strings.Contains(d.Message, message) {
				t.Fatalf("%s: message %q, want it to say %q", location, d.Message, message)
			}
			return *d
		}
	}
	t.Fatalf("no error at %s: %s", location, a.body)
	return huma.ErrorDetail{}
}

const goodLigne = `{"cle":"a","prix":1.50}`

func policyBody(nom, lignes string) string {
	return `{"nom":"` + nom + `","lignes":` + lignes + `}`
}

func TestInputPolicy_AcceptsGoodTextInEveryPlace(t *testing.T) {
	srv := newPolicyApp(t)
	// A surrogate pair is one character (😀), not two halves; é is text.
	a := send(t, http.MethodPost, srv.URL+"/policy/cl%C3%A9?q=caf%C3%A9", "application/json",
		policyBody(`\ud83d\ude00 é \"x\" \\u0000`, `[`+goodLigne+`]`), HeaderIdempotencyKey, "saga:1f2e.payer")
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var out struct{ Cle, Q, Key, Nom string }
	if err := json.Unmarshal([]byte(a.body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Cle != "clé" || out.Q != "café" || out.Key != "saga:1f2e.payer" || out.Nom != `😀 é "x" \u0000` {
		t.Fatalf("handler saw %+v", out)
	}
	// An optional list may be null: it is the same as absent.
	if a := send(t, http.MethodPost, srv.URL+"/policy/c", "application/json",
		`{"nom":"a","lignes":[`+goodLigne+`],"notes":null}`); a.status != http.StatusOK {
		t.Fatalf("optional null list: %d %s", a.status, a.body)
	}
}

func TestInputPolicy_RefusesNULAndInvalidUTF8InTheBody(t *testing.T) {
	srv := newPolicyApp(t)
	tests := []struct {
		name, body, location, message string
	}{
		{"NUL escape", policyBody(`a\u0000b`, `[`+goodLigne+`]`), "body.nom", "NUL"},
		{"lone high surrogate", policyBody(`a\ud800`, `[`+goodLigne+`]`), "body.nom", "surrogate"},
		{"high surrogate then a letter", policyBody(`\ud800x`, `[`+goodLigne+`]`), "body.nom", "surrogate"},
		{"lone low surrogate", policyBody(`\udc00`, `[`+goodLigne+`]`), "body.nom", "surrogate"},
		{"two high surrogates", policyBody(`\ud800\ud800`, `[`+goodLigne+`]`), "body.nom", "surrogate"},
		{"raw invalid byte", policyBody("a\xffb", `[`+goodLigne+`]`), "body.nom", "UTF-8"},
		{"raw encoded surrogate", policyBody("\xed\xa0\x80", `[`+goodLigne+`]`), "body.nom", "UTF-8"},
		{"in a list, at its index", policyBody("a", `[`+goodLigne+`,{"cle":"\u0000","prix":1}]`), "body.lignes[1].cle", "NUL"},
		{"in an unknown member's name", `{"nom":"a","lignes":[` + goodLigne + `],"x\u0000":1}`, "body.x\x00", "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireField(t, send(t, http.MethodPost, srv.URL+"/policy/c", "application/json", tt.body), tt.location, tt.message)
		})
	}
}

func TestInputPolicy_RefusesNULAndInvalidUTF8InPathQueryAndHeaders(t *testing.T) {
	srv := newPolicyApp(t)
	body := policyBody("a", `[`+goodLigne+`]`)
	requireField(t, send(t, http.MethodPost, srv.URL+"/policy/a%00b", "application/json", body), "path.cle", "NUL")
	requireField(t, send(t, http.MethodPost, srv.URL+"/policy/a%FF", "application/json", body), "path.cle", "UTF-8")
	requireField(t, send(t, http.MethodPost, srv.URL+"/policy/c?q=%00", "application/json", body), "query.q", "NUL")
	requireField(t, send(t, http.MethodPost, srv.URL+"/policy/c?q=%C3", "application/json", body), "query.q", "UTF-8")
	requireField(t, send(t, http.MethodPost, srv.URL+"/form", "application/x-www-form-urlencoded", "username=a%00b"), "body.username", "NUL")
	if a := send(t, http.MethodPost, srv.URL+"/form", "application/x-www-form-urlencoded", "username=caf%C3%A9"); a.status != http.StatusOK {
		t.Fatalf("a good form = %d %s", a.status, a.body)
	}
}

func TestInputPolicy_IdempotencyKeyIsOneRuleOnEveryRoute(t *testing.T) {
	srv := newPolicyApp(t)
	body := policyBody("a", `[`+goodLigne+`]`)
	for name, key := range map[string]string{
		"10 kB":            strings.Repeat("k", 10<<10),
		"201 bytes":        strings.Repeat("k", 201),
		"a space":          "saga 1",
		"non-ASCII":        "clé",
		"a tab":            "a\tb",
		"a byte over 0x7E": "a\xffb",
	} {
		t.Run(name, func(t *testing.T) {
			requireField(t, send(t, http.MethodPost, srv.URL+"/policy/c", "application/json", body, HeaderIdempotencyKey, key),
				"header.Idempotency-Key", "visible ASCII")
			// A route that takes no key does not ignore a bad one either.
			requireField(t, send(t, http.MethodPost, srv.URL+"/form", "application/x-www-form-urlencoded", "a=b", HeaderIdempotencyKey, key),
				"header.Idempotency-Key", "visible ASCII")
		})
	}
	if a := send(t, http.MethodPost, srv.URL+"/policy/c", "application/json", body,
		HeaderIdempotencyKey, strings.Repeat("~", IdempotencyKeyMax)); a.status != http.StatusOK {
		t.Fatalf("a key of %d visible characters = %d %s", IdempotencyKeyMax, a.status, a.body)
	}
}

func TestCheckIdempotencyKey(t *testing.T) {
	for _, ok := range []string{"a", "saga:3f1c.payer", "inscription:0b7e", strings.Repeat("!", 200), "~"} {
		if err := CheckIdempotencyKey(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", " ", "a b", "é", "a\x00", strings.Repeat("a", 201)} {
		if CheckIdempotencyKey(bad) == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestInputPolicy_NullForARequiredListIsMissing(t *testing.T) {
	srv := newPolicyApp(t)
	requireField(t, send(t, http.MethodPost, srv.URL+"/policy/c", "application/json", `{"nom":"a","lignes":null}`),
		"body.lignes", "not null")
	requireField(t, send(t, http.MethodPost, srv.URL+"/policy/c", "application/json", `{"nom":"a","lignes":[]}`),
		"body.lignes", "length >= 1")
	p := requireProblem(t, send(t, http.MethodPost, srv.URL+"/policy/c", "application/json", `{"nom":"a"}`),
		http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, "lignes") {
		t.Fatalf("missing list: %+v", p.Errors)
	}
}

func TestInputPolicy_AnAmountSaysTwoDecimalsAtItsIndex(t *testing.T) {
	srv := newPolicyApp(t)
	for _, prix := range []string{"1.001", "0.125", "1e2", "12345678901234"} {
		t.Run(prix, func(t *testing.T) {
			a := send(t, http.MethodPost, srv.URL+"/policy/c", "application/json",
				policyBody("a", `[`+goodLigne+`,{"cle":"b","prix":`+prix+`}]`))
			d := requireField(t, a, "body.lignes[1].prix", "must be an amount with at most")
			if strings.Contains(a.body, "Go struct") || strings.Contains(a.body, "kit.Cents") {
				t.Fatalf("the answer speaks Go: %s", a.body)
			}
			if v, ok := d.Value.(float64); !ok || v == 0 {
				t.Errorf("value = %#v, want the number sent", d.Value)
			}
		})
	}
}

func TestInputPolicy_EveryInputIsBounded(t *testing.T) {
	srv := newPolicyApp(t)
	long := strings.Repeat("é", DefaultMaxLength+1)
	d := requireField(t, send(t, http.MethodPost, srv.URL+"/policy/c", "application/json", policyBody(long, `[`+goodLigne+`]`)),
		"body.nom", "length <= 1000")
	if s, _ := d.Value.(string); !strings.HasSuffix(s, "…") || !utf8.ValidString(s) || len(s) > MaxEchoBytes+len("…") {
		t.Errorf("echoed value %q, want at most %d bytes of it, cut on a character, then …", s, MaxEchoBytes)
	}
	requireField(t, send(t, http.MethodPost, srv.URL+"/policy/c?q="+strings.Repeat("q", DefaultMaxLength+1), "application/json",
		policyBody("a", `[`+goodLigne+`]`)), "query.q", "length <= 1000")
	lignes := strings.TrimSuffix(strings.Repeat(goodLigne+",", DefaultMaxItems+1), ",")
	requireField(t, send(t, http.MethodPost, srv.URL+"/policy/c", "application/json", policyBody("a", `[`+lignes+`]`)),
		"body.lignes", "length <= 1000")
	for _, n := range []string{"9223372036854775807", "9007199254740992", "-9007199254740992"} {
		d := requireField(t, send(t, http.MethodPost, srv.URL+"/policy/c", "application/json",
			`{"nom":"a","lignes":[`+goodLigne+`],"n":`+n+`}`), "body.n", "9007199254740991")
		if strings.Contains(d.Message, "e+") {
			t.Errorf("bound written as %q", d.Message)
		}
	}

	openapi := call(t, http.MethodGet, srv.URL+"/openapi.json", "").body
	for _, want := range []string{`"maxLength":1000`, `"maxItems":1000`, `"maximum":9007199254740991`, `"pattern":"^[!-~]+$"`} {
		if !strings.Contains(openapi, want) {
			t.Errorf("the OpenAPI does not show %s", want)
		}
	}
}

func TestInputPolicy_AProblemEchoesLittle(t *testing.T) {
	srv := newPolicyApp(t)
	// An unknown member: huma's detail holds the whole object it sits in.
	big := `{"nom":"a","lignes":[` + goodLigne + `],"extra":"` + strings.Repeat("x", 30<<10) + `"}`
	a := send(t, http.MethodPost, srv.URL+"/policy/c", "application/json", big)
	requireField(t, a, "body.extra", "unexpected property")
	if len(a.body) > 2<<10 {
		t.Fatalf("a %d-byte answer to a %d-byte body", len(a.body), len(big))
	}
	// Malformed JSON: huma's detail holds the whole body.
	a = send(t, http.MethodPost, srv.URL+"/policy/c", "application/json", `{"nom":"`+strings.Repeat("x", 30<<10)+`",`)
	requireProblem(t, a, http.StatusBadRequest)
	if len(a.body) > 2<<10 {
		t.Fatalf("a %d-byte answer to malformed JSON", len(a.body))
	}
}

func TestInputPolicy_MalformedJSONStaysA400(t *testing.T) {
	srv := newPolicyApp(t)
	for _, body := range []string{
		`{"nom":"\u0000",`,                  // a refusal, then the end too soon
		`{"nom":"\u0000","lignes":[1.2.3]}`, // a refusal, then a number that is none
		"{\"nom\":\"a\x00b\"}",              // a raw NUL is no JSON at all
		`{"nom":"\uZZZZ"}`,
	} {
		requireProblem(t, send(t, http.MethodPost, srv.URL+"/policy/c", "application/json", body), http.StatusBadRequest)
	}
}

func TestInputPolicy_AccessIsCheckedFirst(t *testing.T) {
	app := NewApp(Config{Service: "kit-test", MaxBodyBytes: 64 << 10}, discardLog(), nil)
	huma.Register(app.API, Access(huma.Operation{OperationID: "policy", Method: http.MethodPost, Path: "/policy/{cle}"}, MaisonMere),
		func(_ context.Context, _ *policyInput) (*policyOutput, error) { return &policyOutput{}, nil })
	srv := httptest.NewServer(app.Router)
	t.Cleanup(srv.Close)
	requireProblem(t, send(t, http.MethodPost, srv.URL+"/policy/a%00", "application/json", `{"nom":"\u0000"}`,
		HeaderIdempotencyKey, "a b"), http.StatusUnauthorized)
}

func TestClip_CutsOnACharacterAndMarksTheCut(t *testing.T) {
	if got := clip("abc", 3); got != "abc" {
		t.Errorf("clip(abc, 3) = %q", got)
	}
	if got := clip("abcd", 3); got != "abc…" {
		t.Errorf("clip(abcd, 3) = %q", got)
	}
	if got := clip("aé", 2); got != "a…" {
		t.Errorf("clip(aé, 2) = %q, want the é kept whole or left out", got)
	}
	if got := clipValue(map[string]any{"x": strings.Repeat("y", 200)}); got != clip(`{"x":"`+strings.Repeat("y", 200)+`"}`, MaxEchoBytes) {
		t.Errorf("a large object echoes %v", got)
	}
	if got := clipValue(int64(7)); got != int64(7) {
		t.Errorf("clipValue(7) = %v", got)
	}
}
