package kit

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// The token design (docs/adr/0012-identity-and-tokens.md): RS256 JWTs signed by
// identite, at most 15 minutes, with the standard claims and three of ours.
const (
	// DefaultIssuer and DefaultAudience are the iss and aud of every token,
	// the same in compose, native mode and Kubernetes, so no URL is baked in.
	DefaultIssuer   = "multi-magasins"
	DefaultAudience = "multi-magasins"

	ClaimRoles     = "roles" // KrakenD's roles_key
	ClaimClientID  = "client_id"
	ClaimMagasinID = "magasin_id"
	ClaimName      = "nom"

	// MaxTokenTTL bounds an access token's life.
	MaxTokenTTL = 15 * time.Minute
)

// Signer issues access tokens with the first of its keys; its JWKS lists
// them all, so a key can be rotated in without cutting tokens in flight.
type Signer struct {
	keys     []jwk.Key // private, each with kid and alg
	public   jwk.Set
	issuer   string
	audience string
}

// GenerateSigningKey returns a new RSA private key as PEM, for the launcher's
// and the tests' first run.
func GenerateSigningKey() ([]byte, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(k)}), nil
}

func mustPKCS8(k *rsa.PrivateKey) []byte {
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err) // an RSA key always marshals
	}
	return b
}

// NewSigner parses one or more PEM private keys (RSA, PKCS#1 or PKCS#8).
func NewSigner(pemKeys []byte, issuer, audience string) (*Signer, error) {
	s := &Signer{public: jwk.NewSet(), issuer: issuer, audience: audience}
	rest := pemKeys
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		k, err := jwk.ParseKey(pem.EncodeToMemory(block), jwk.WithPEM(true))
		if err != nil {
			return nil, fmt.Errorf("signing key: %w", err)
		}
		if k.KeyType().String() != "RSA" {
			return nil, fmt.Errorf("signing key: %s keys are not supported, use RSA", k.KeyType())
		}
		if err := jwk.AssignKeyID(k); err != nil {
			return nil, err
		}
		if err := k.Set(jwk.AlgorithmKey, jwa.RS256()); err != nil {
			return nil, err
		}
		pub, err := k.PublicKey()
		if err != nil {
			return nil, err
		}
		if err := pub.Set(jwk.KeyUsageKey, "sig"); err != nil {
			return nil, err
		}
		if err := s.public.AddKey(pub); err != nil {
			return nil, err
		}
		s.keys = append(s.keys, k)
	}
	if len(s.keys) == 0 {
		return nil, errors.New("signing key: no PEM private key found")
	}
	return s, nil
}

// JWKS is the public key set, served at /.well-known/jwks.json.
func (s *Signer) JWKS() jwk.Set { return s.public }

// Sign issues a token for p that expires after ttl (at most MaxTokenTTL).
func (s *Signer) Sign(p Principal, ttl time.Duration) (string, time.Time, error) {
	if ttl <= 0 || ttl > MaxTokenTTL {
		ttl = MaxTokenTTL
	}
	now := time.Now().Truncate(time.Second)
	exp := now.Add(ttl)
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	b := jwt.NewBuilder().Issuer(s.issuer).Audience([]string{s.audience}).Subject(p.Subject).
		IssuedAt(now).NotBefore(now).Expiration(exp).JwtID(strconv.FormatInt(now.UnixNano(), 36)+randomID()).
		Claim(ClaimRoles, roles)
	if p.ClientID != 0 {
		b = b.Claim(ClaimClientID, p.ClientID)
	}
	if p.MagasinID != 0 {
		b = b.Claim(ClaimMagasinID, p.MagasinID)
	}
	if p.Name != "" {
		b = b.Claim(ClaimName, p.Name)
	}
	tok, err := b.Build()
	if err != nil {
		return "", time.Time{}, err
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), s.keys[0]))
	if err != nil {
		return "", time.Time{}, err
	}
	return string(signed), exp, nil
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x", b)
}

// Verifier checks tokens against this signer's own keys (identite itself,
// and tests).
func (s *Signer) Verifier() Verifier {
	return &jwksVerifier{keys: staticKeys{s.public}, issuer: s.issuer, audience: s.audience}
}

// NewJWKSVerifier checks tokens against the key set at url, fetched on first
// use, again every refresh interval, and at once (at most every second) when
// a token names a key it does not hold, so a rotation or an issuer that
// started after this service costs nothing but one fetch.
func NewJWKSVerifier(url, issuer, audience string) Verifier {
	return &jwksVerifier{keys: &remoteKeys{url: url, every: 5 * time.Minute}, issuer: issuer, audience: audience}
}

type keySource interface {
	Keys(ctx context.Context, refresh bool) (jwk.Set, error)
}

type staticKeys struct{ set jwk.Set }

func (s staticKeys) Keys(context.Context, bool) (jwk.Set, error) { return s.set, nil }

type remoteKeys struct {
	url   string
	every time.Duration

	set     atomic.Pointer[jwk.Set]
	mu      sync.Mutex // one fetch at a time
	fetched time.Time
}

func (r *remoteKeys) Keys(ctx context.Context, refresh bool) (jwk.Set, error) {
	if p := r.set.Load(); p != nil && !refresh {
		r.mu.Lock()
		stale := time.Since(r.fetched) > r.every
		r.mu.Unlock()
		if !stale {
			return *p, nil
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.set.Load(); p != nil && time.Since(r.fetched) < time.Second {
		return *p, nil // someone just fetched
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	set, err := jwk.Fetch(ctx, r.url)
	if err != nil {
		if p := r.set.Load(); p != nil {
			return *p, nil // keep the keys we had while the issuer is away
		}
		return nil, fmt.Errorf("key set %s: %w", r.url, err)
	}
	r.set.Store(&set)
	r.fetched = time.Now()
	return set, nil
}

type jwksVerifier struct {
	keys             keySource
	issuer, audience string
	seen             verifiedCache
}

func (v *jwksVerifier) Verify(ctx context.Context, token string) (Principal, error) {
	if p, ok := v.seen.get(token); ok {
		return p, nil
	}
	set, err := v.keys.Keys(ctx, false)
	if err != nil {
		return Principal{}, err
	}
	opts := []jwt.ParseOption{jwt.WithValidate(true), jwt.WithIssuer(v.issuer), jwt.WithAudience(v.audience),
		jwt.WithAcceptableSkew(30 * time.Second)}
	tok, err := jwt.ParseString(token, append(opts, jwt.WithKeySet(set))...)
	if err != nil && isUnknownKey(set, token) {
		if set, err = v.keys.Keys(ctx, true); err != nil {
			return Principal{}, err
		}
		tok, err = jwt.ParseString(token, append(opts, jwt.WithKeySet(set))...)
	}
	if err != nil {
		return Principal{}, err
	}
	p, err := principalFrom(tok)
	if err != nil {
		return Principal{}, err
	}
	if exp, ok := tok.Expiration(); ok {
		v.seen.put(token, p, exp)
	}
	return p, nil
}

// isUnknownKey reports whether token names a kid the set does not hold.
func isUnknownKey(set jwk.Set, token string) bool {
	msg, err := jwtHeaderKID(token)
	if err != nil || msg == "" {
		return false
	}
	_, ok := set.LookupKeyID(msg)
	return !ok
}

func principalFrom(tok jwt.Token) (Principal, error) {
	var p Principal
	p.Subject, _ = tok.Subject()
	var roles []any
	if err := tok.Get(ClaimRoles, &roles); err != nil {
		return p, errors.New("the token has no roles claim")
	}
	for _, r := range roles {
		s, ok := r.(string)
		if !ok {
			return p, errors.New("the roles claim must be a list of strings")
		}
		p.Roles = append(p.Roles, Role(s))
	}
	var err error
	if p.ClientID, err = intClaim(tok, ClaimClientID); err != nil {
		return p, err
	}
	if p.MagasinID, err = intClaim(tok, ClaimMagasinID); err != nil {
		return p, err
	}
	if tok.Has(ClaimName) {
		_ = tok.Get(ClaimName, &p.Name)
	}
	if p.Has(RoleClient) && p.ClientID == 0 {
		return p, errors.New("a client token must carry client_id")
	}
	if p.Has(RoleCaissier) && p.MagasinID == 0 {
		return p, errors.New("a caissier token must carry magasin_id")
	}
	return p, nil
}

// verifiedCache remembers tokens already checked until they expire: the
// orchestrator sends the same service token on every call, and an RSA check
// plus the JSON parse is the dearest part of a request's middleware.
type verifiedCache struct {
	mu sync.Mutex
	m  map[string]verified
}

type verified struct {
	p   Principal
	exp time.Time
}

const verifiedCacheSize = 4096

func (c *verifiedCache) get(token string) (Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[token]
	if !ok {
		return Principal{}, false
	}
	if !time.Now().Before(e.exp) {
		delete(c.m, token)
		return Principal{}, false
	}
	return e.p, true
}

func (c *verifiedCache) put(token string, p Principal, exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= verifiedCacheSize {
		c.m = make(map[string]verified) // dropping all is simpler than LRU and rare
	}
	c.m[token] = verified{p: p, exp: exp}
}

func jwtHeaderKID(token string) (string, error) {
	msg, err := jws.ParseString(token)
	if err != nil {
		return "", err
	}
	sigs := msg.Signatures()
	if len(sigs) == 0 {
		return "", errors.New("no signature")
	}
	kid, _ := sigs[0].ProtectedHeaders().KeyID()
	return kid, nil
}

// intClaim reads a whole-number claim; 0 when absent.
func intClaim(tok jwt.Token, name string) (int64, error) {
	if !tok.Has(name) {
		return 0, nil
	}
	var v any
	if err := tok.Get(name, &v); err != nil {
		return 0, fmt.Errorf("claim %s: %w", name, err)
	}
	switch n := v.(type) {
	case float64:
		if n == float64(int64(n)) && n > 0 {
			return int64(n), nil
		}
	case json.Number:
		if i, err := n.Int64(); err == nil && i > 0 {
			return i, nil
		}
	}
	return 0, fmt.Errorf("claim %s must be a positive whole number", name)
}
