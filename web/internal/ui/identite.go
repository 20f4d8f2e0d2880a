package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"

	"multimagasins/kit"
)

// identite is the web app's side of the identity service: sign-in with a
// password, refresh, revocation and sign-up.
type identite struct {
	base  string
	oauth oauth2.Config
	http  *http.Client
	api   *kit.Client // JSON routes (sign-up)

	refreshes singleflight.Group
	mu        sync.Mutex
	recent    map[string]recentRefresh
}

// recentRefresh remembers what a refresh token was traded for, briefly:
// a second request that left the browser with the old cookie before the
// first one's answer came back gets the same new tokens instead of
// presenting a refresh token identite has already rotated.
type recentRefresh struct {
	tok *oauth2.Token
	at  time.Time
}

const recentRefreshLife = 30 * time.Second

func newIdentite(base string, timeout time.Duration) *identite {
	base = strings.TrimRight(base, "/")
	return &identite{
		base: base,
		// The web app holds no client secret: it passes on the person's
		// password or refresh token and names no client of its own
		// (AuthStyleInParams with no id sends neither client_id nor Basic).
		oauth: oauth2.Config{Endpoint: oauth2.Endpoint{
			TokenURL: base + "/auth/jeton", AuthStyle: oauth2.AuthStyleInParams}},
		http:   &http.Client{Timeout: timeout, Transport: requestIDTransport{kit.TraceTransport(http.DefaultTransport)}},
		api:    kit.NewClient(base, timeout),
		recent: map[string]recentRefresh{},
	}
}

// requestIDTransport forwards the page's request id to identite, so its
// logs and ours tell one story, and the browser's address, so identite
// throttles failed sign-ins per person's address, not per web instance.
type requestIDTransport struct{ next http.RoundTripper }

func (t requestIDTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	id := kit.RequestID(r.Context())
	from, _ := r.Context().Value(forwardedKey{}).(string)
	if id != "" || from != "" {
		r = r.Clone(r.Context())
		if id != "" {
			r.Header.Set(kit.HeaderRequestID, id)
		}
		if from != "" {
			r.Header.Set("X-Forwarded-For", from)
		}
	}
	return t.next.RoundTrip(r)
}

type forwardedKey struct{}

// withForwardedFor carries the browser's address for identite. Only a proxy
// on our own network (nginx, on loopback or a private address) is believed
// about who its caller was, and only its last hop: the earlier ones are
// whatever the browser sent. identite reads the same last hop from us.
func withForwardedFor(ctx context.Context, r *http.Request) context.Context {
	if a := browserAddress(r); a.IsValid() {
		return context.WithValue(ctx, forwardedKey{}, a.String())
	}
	return ctx
}

func browserAddress(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	peer = peer.Unmap()
	if !peer.IsLoopback() && !peer.IsPrivate() {
		return peer
	}
	if hops := r.Header.Values("X-Forwarded-For"); len(hops) > 0 {
		last := hops[len(hops)-1]
		if i := strings.LastIndexByte(last, ','); i >= 0 {
			last = last[i+1:]
		}
		if a, err := netip.ParseAddr(strings.TrimSpace(last)); err == nil {
			return a.Unmap()
		}
	}
	return peer
}

func (i *identite) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, i.http)
}

// password signs in (grant_type=password: username, password).
func (i *identite) password(ctx context.Context, username, password string) (*oauth2.Token, error) {
	return i.oauth.PasswordCredentialsToken(i.ctx(ctx), username, password)
}

// refresh trades a refresh token for new tokens (grant_type=refresh_token),
// once per refresh token however many requests ask at the same time.
func (i *identite) refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	if tok := i.recentlyRefreshed(refreshToken); tok != nil {
		return tok, nil
	}
	v, err, _ := i.refreshes.Do(refreshToken, func() (any, error) {
		// A token with no access token is invalid, so the source refreshes.
		tok, err := i.oauth.TokenSource(i.ctx(context.WithoutCancel(ctx)), &oauth2.Token{RefreshToken: refreshToken}).Token()
		if err != nil {
			return nil, err
		}
		i.remember(refreshToken, tok)
		return tok, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*oauth2.Token), nil
}

func (i *identite) recentlyRefreshed(refreshToken string) *oauth2.Token {
	i.mu.Lock()
	defer i.mu.Unlock()
	if r, ok := i.recent[refreshToken]; ok && time.Since(r.at) < recentRefreshLife {
		return r.tok
	}
	return nil
}

func (i *identite) remember(refreshToken string, tok *oauth2.Token) {
	i.mu.Lock()
	defer i.mu.Unlock()
	for k, r := range i.recent {
		if time.Since(r.at) >= recentRefreshLife {
			delete(i.recent, k)
		}
	}
	i.recent[refreshToken] = recentRefresh{tok: tok, at: time.Now()}
}

// revoke asks identite to forget a refresh token (RFC 7009).
func (i *identite) revoke(ctx context.Context, refreshToken string) error {
	form := url.Values{"token": {refreshToken}, "token_type_hint": {"refresh_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, i.base+"/auth/revocation", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := i.http.Do(req)
	if err != nil {
		return fmt.Errorf("revocation: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("revocation: status %d", resp.StatusCode)
	}
	i.mu.Lock()
	delete(i.recent, refreshToken)
	i.mu.Unlock()
	return nil
}

// Inscription is the body of identite's POST /auth/inscription: the
// customer's account (as clients stores it) and the password to sign in with.
type Inscription struct {
	Nom        string `json:"nom"`
	Email      string `json:"email"`
	Telephone  string `json:"telephone,omitempty"`
	Adresse    string `json:"adresse,omitempty"`
	MotDePasse string `json:"mot_de_passe"`
}

// signUp opens a customer account; its errors are *kit.ProblemError.
func (i *identite) signUp(ctx context.Context, in Inscription) error {
	return i.api.Do(ctx, http.MethodPost, "/auth/inscription", in, nil, nil)
}

// refused reports whether identite answered that the grant itself is bad
// (a wrong password, an unknown or revoked refresh token), as opposed to
// being unreachable or throttling.
func refused(err error) bool {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return false
	}
	if re.ErrorCode == "invalid_grant" || re.ErrorCode == "invalid_client" {
		return true
	}
	return re.Response != nil && (re.Response.StatusCode == http.StatusBadRequest || re.Response.StatusCode == http.StatusUnauthorized)
}

// throttled reports whether identite asked us to slow down (too many
// failed sign-ins for the account or the address).
func throttled(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusTooManyRequests
}
