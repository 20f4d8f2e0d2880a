package saga

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// proxy stands between the orchestrator and one participant, so a test can
// hold, slow down or repeat what the orchestrator sends.
type proxy struct {
	srv *httptest.Server
	rp  *httputil.ReverseProxy

	mu        sync.Mutex
	gate      chan struct{} // when set, POST /paiements waits until it is closed
	slowFirst time.Duration // the first POST /paiements waits this long, then goes through anyway
	slowUsed  bool
	twice     bool // every request is sent twice; the caller gets the second answer

	held         chan struct{} // one value per request held at the gate
	requests     atomic.Int64  // requests received
	paiement     atomic.Int64  // POST /paiements received
	paiementFini atomic.Int64  // POST /paiements answered by paiement (or failed)
}

func newProxy(t testing.TB, target string) *proxy {
	u, err := url.Parse(target)
	require.NoError(t, err)
	p := &proxy{held: make(chan struct{}, 64)}
	p.rp = &httputil.ReverseProxy{
		Rewrite:  func(pr *httputil.ProxyRequest) { pr.SetURL(u) },
		ErrorLog: log.New(io.Discard, "", 0), // a participant down is what some tests want
	}
	p.srv = httptest.NewServer(p)
	return p
}

func (p *proxy) URL() string { return p.srv.URL }

// block holds every POST /paiements from now until release.
func (p *proxy) block() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gate = make(chan struct{})
}

func (p *proxy) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate != nil {
		close(p.gate)
		p.gate = nil
	}
}

func (p *proxy) slowDownFirstPayment(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.slowFirst, p.slowUsed = d, false
}

func (p *proxy) sendTwice(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.twice = on
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	payment := r.Method == http.MethodPost && r.URL.Path == "/paiements"
	p.mu.Lock()
	gate, twice := p.gate, p.twice
	var slow time.Duration
	if payment && p.slowFirst > 0 && !p.slowUsed {
		slow, p.slowUsed = p.slowFirst, true
	}
	p.mu.Unlock()
	p.requests.Add(1)
	if payment {
		p.paiement.Add(1)
		defer p.paiementFini.Add(1)
	}
	if payment && gate != nil {
		select {
		case p.held <- struct{}{}:
		default:
		}
		select {
		case <-gate:
		case <-r.Context().Done():
			return // the caller died while held: the request is lost, as on a cut link
		}
	}
	ctx := r.Context()
	if slow > 0 {
		time.Sleep(slow)
		// A slow participant still does the work after its caller gave up.
		ctx = context.WithoutCancel(ctx)
	}
	if twice {
		p.rp.ServeHTTP(httptest.NewRecorder(), clone(ctx, r, body))
	}
	p.rp.ServeHTTP(w, clone(ctx, r, body))
}

func clone(ctx context.Context, r *http.Request, body []byte) *http.Request {
	c := r.Clone(ctx)
	c.Body = io.NopCloser(bytes.NewReader(body))
	c.ContentLength = int64(len(body))
	return c
}

// participantEnv names the orchestrator's variable for each participant.
var participantEnv = map[string]string{
	"stock": "STOCK_URL", "commande": "COMMANDE_URL", "paiement": "PAIEMENT_URL",
	"panier": "PANIER_URL", "clients": "CLIENTS_URL",
}

// withProxies restarts the orchestrator with a proxy in front of each named
// participant and the extra variables; the test's end puts the orchestrator
// back as it was, then closes the proxies.
func withProxies(t *testing.T, extra map[string]string, participants ...string) map[string]*proxy {
	t.Helper()
	proxies := map[string]*proxy{}
	env := map[string]string{}
	for k, v := range extra {
		env[k] = v
	}
	for _, name := range participants {
		p := newProxy(t, fl.URL(name))
		t.Cleanup(func() {
			p.release()
			p.srv.CloseClientConnections()
			p.srv.Close()
		})
		proxies[name] = p
		env[participantEnv[name]] = p.URL()
	}
	ctx := context.Background()
	require.NoError(t, fl.RestartWith(ctx, "orchestrator", env))
	t.Cleanup(func() {
		for _, p := range proxies {
			p.release()
		}
		if err := fl.RestartWith(ctx, "orchestrator", nil); err != nil {
			t.Errorf("restore the orchestrator: %v", err)
		}
	})
	return proxies
}
