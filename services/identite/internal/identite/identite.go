// Package identite holds the accounts and credentials domain: who may sign
// in, how a password and a refresh token are kept, which API clients exist.
// No HTTP, no SQL.
package identite

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
)

// Personnel is a staff account: a login, not an email, because a till is
// shared by whoever works it.
type Personnel struct {
	Login      string
	Nom        string
	Roles      []kit.Role
	MagasinID  int64 // the store of a caissier; 0 otherwise
	MotDePasse string
	Actif      bool
}

// Principal is what a token for this account says.
func (p Personnel) Principal() kit.Principal {
	return kit.Principal{Subject: SujetPersonnel + p.Login, Name: p.Nom, Roles: p.Roles, MagasinID: p.MagasinID}
}

// CompteClient is a customer's sign-in, tied to the account at the clients
// service once the sign-up has reached it (ClientID 0 until then).
type CompteClient struct {
	Email       string
	Nom         string
	Telephone   string
	Adresse     string
	MotDePasse  string
	Inscription uuid.UUID // names the sign-up at the clients service (Idempotency-Key)
	ClientID    int64
}

// EnAttente reports whether the sign-up has not reached the clients service yet.
func (c CompteClient) EnAttente() bool { return c.ClientID == 0 }

// Principal is what a token for this customer says.
func (c CompteClient) Principal() kit.Principal {
	return kit.Principal{Subject: SujetClient + strconv.FormatInt(c.ClientID, 10), Name: c.Nom,
		Roles: []kit.Role{kit.RoleClient}, ClientID: c.ClientID}
}

// CleInscription is the Idempotency-Key of a sign-up's call to the clients
// service: a retry after a crash creates the same account, not a second one.
func (c CompteClient) CleInscription() string { return "inscription:" + c.Inscription.String() }

// The subjects' prefixes; a refresh token's family names its subject.
const (
	SujetPersonnel = "personnel:"
	SujetClient    = "client:"
	SujetService   = "service:"
)

// Errors the HTTP layer maps to problem types.
var (
	ErrNotFound       = errors.New("not found")
	ErrEmailTaken     = errors.New("an account already uses this email")
	ErrJetonInvalide  = errors.New("the refresh token is invalid, expired or revoked")
	ErrJetonReutilise = errors.New("the refresh token was already used: every token of its sign-in is revoked")
)

// EstEmail reports whether a sign-in name is a customer's email rather than a
// staff login (logins never hold "@").
func EstEmail(username string) bool { return strings.Contains(username, "@") }

// NormaliserIdentifiant is the form a sign-in name is looked up and
// throttled by: staff logins and emails are both case-insensitive.
func NormaliserIdentifiant(username string) string {
	return strings.ToLower(strings.TrimSpace(username))
}

// --- Refresh tokens ---

// NouveauJeton returns an opaque refresh token (256 random bits) and the
// SHA-256 that is all the database keeps: a copy of the table signs nobody in.
func NouveauJeton() (token string, empreinte []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on a supported platform
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, Empreinte(token)
}

// Empreinte is the stored form of a refresh token.
func Empreinte(token string) []byte {
	s := sha256.Sum256([]byte(token))
	return s[:]
}

// --- API clients (client credentials) ---

// ServiceClients are the API clients that trade an id and a secret for a
// service token: the orchestrator, panier, scripts.
type ServiceClients struct {
	secrets map[string][]byte
	dummy   []byte
}

var clientIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,62}$`)

// ParseServiceClients reads `id:secret` entries separated by commas or
// newlines; blank entries and lines starting with # are skipped.
func ParseServiceClients(s string) (ServiceClients, error) {
	c := ServiceClients{secrets: map[string][]byte{}, dummy: make([]byte, 32)}
	entries := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' })
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" || strings.HasPrefix(e, "#") {
			continue
		}
		id, secret, ok := strings.Cut(e, ":")
		id, secret = strings.TrimSpace(id), strings.TrimSpace(secret)
		if !ok || secret == "" {
			return c, fmt.Errorf("API client %q: want id:secret", id)
		}
		if !clientIDPattern.MatchString(id) {
			return c, fmt.Errorf("API client id %q: lower-case letters, digits, . _ -", id)
		}
		if _, dup := c.secrets[id]; dup {
			return c, fmt.Errorf("API client %q is listed twice", id)
		}
		c.secrets[id] = []byte(secret)
	}
	if len(c.secrets) == 0 {
		return c, errors.New("no API client listed")
	}
	return c, nil
}

// Check reports whether secret is id's. The comparison takes the same time
// whatever the id, known or not, and whatever the secret's first bytes.
func (c ServiceClients) Check(id, secret string) bool {
	want, ok := c.secrets[id]
	if !ok {
		want = c.dummy
	}
	// Compare digests: ConstantTimeCompare returns at once on a length mismatch.
	g, w := sha256.Sum256([]byte(secret)), sha256.Sum256(want)
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1 && ok
}

// ServicePrincipal is the holder of API client id's service token.
func ServicePrincipal(id string) kit.Principal {
	return kit.Principal{Subject: SujetService + id, Name: id, Roles: []kit.Role{kit.RoleService}}
}

// --- Throttling ---

// Throttle is how many failed sign-ins an account and an address may have
// within Window before their password sign-ins are refused for Lock.
type Throttle struct {
	Window          time.Duration
	Lock            time.Duration
	AccountFailures int
	AddressFailures int
}

// DefaultThrottle: 5 failures per account or 20 per address in 15 minutes
// lock it for 15 minutes.
var DefaultThrottle = Throttle{Window: 15 * time.Minute, Lock: 15 * time.Minute, AccountFailures: 5, AddressFailures: 20}

// CleCompte and CleAdresse are the throttle's counters.
func CleCompte(username string) string { return "compte:" + NormaliserIdentifiant(username) }

// CleAdresse counts an IPv6 caller by its /64, which one subscriber holds whole.
func CleAdresse(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "adresse:" + p.String()
	}
	return "adresse:" + a.String()
}

// AdresseClient is the caller's address: the TCP peer, or, when the peer is
// loopback or a private network (the gateway, the web app), the last hop it
// wrote into X-Forwarded-For. Only the last hop is taken: the earlier ones
// are whatever the caller sent.
func AdresseClient(remoteAddr string, forwardedFor []string) netip.Addr {
	peer, err := netip.ParseAddrPort(remoteAddr)
	var a netip.Addr
	if err == nil {
		a = peer.Addr().Unmap()
	} else if a, err = netip.ParseAddr(remoteAddr); err != nil {
		return netip.IPv4Unspecified()
	}
	if !a.IsLoopback() && !a.IsPrivate() {
		return a
	}
	for i := len(forwardedFor) - 1; i >= 0; i-- {
		hops := strings.Split(forwardedFor[i], ",")
		last := strings.TrimSpace(hops[len(hops)-1])
		if last == "" {
			continue
		}
		if h, err := netip.ParseAddr(last); err == nil {
			return h.Unmap()
		}
		break // a hop that is no address: trust the peer only
	}
	return a
}
