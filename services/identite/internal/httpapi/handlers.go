package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/identite/internal/identite"
	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
)

// Repo is what the handlers need from storage.
type Repo interface {
	Personnel(ctx context.Context, login string) (identite.Personnel, error)
	CompteClient(ctx context.Context, email string) (identite.CompteClient, error)
	CompteClientParID(ctx context.Context, clientID int64) (identite.CompteClient, error)
	DebuterInscription(ctx context.Context, c identite.CompteClient) (identite.CompteClient, bool, error)
	TerminerInscription(ctx context.Context, inscription uuid.UUID, clientID int64) (identite.CompteClient, error)
	AbandonnerInscription(ctx context.Context, inscription uuid.UUID) error
	OuvrirFamille(ctx context.Context, sujet string, empreinte []byte, vie time.Duration) error
	Tourner(ctx context.Context, ancienne, nouvelle []byte, grace time.Duration) (string, error)
	RevoquerFamille(ctx context.Context, empreinte []byte) error
	Blocage(ctx context.Context, cles []string) (time.Duration, error)
	Echec(ctx context.Context, cle string, window time.Duration, limit int, lock time.Duration) error
	Reussite(ctx context.Context, cle string) error
	Purger(ctx context.Context, window time.Duration) error
}

// Clients is the one call identite makes to the clients service.
type Clients interface {
	CreateClientOnce(ctx context.Context, key string, f clientsapi.Fields) (clientsapi.Compte, error)
}

// Deps is everything the routes need, built once in run.
type Deps struct {
	Repo     Repo
	Clients  Clients
	Signer   *kit.Signer
	Hasher   *identite.Hasher
	Services identite.ServiceClients
	Throttle identite.Throttle
	// AccessTTL is an access token's life (at most kit.MaxTokenTTL);
	// RefreshTTL the life of a sign-in's refresh tokens, counted from the sign-in.
	AccessTTL, RefreshTTL time.Duration
	// ReuseGrace is how long after its first use a refresh token may be used
	// again without revoking its family (two web instances, one browser).
	ReuseGrace time.Duration
	Issuer     string
	PublicURL  string // where callers reach identite, for the discovery document
	Log        *slog.Logger
	Registry   prometheus.Registerer
}

type handlers struct {
	Deps
	jwksBody []byte
	metrics  *metrics
}

func newHandlers(d Deps) *handlers {
	b, err := json.Marshal(d.Signer.JWKS())
	if err != nil {
		panic(err) // a key set of parsed RSA keys always marshals
	}
	d.PublicURL = strings.TrimRight(d.PublicURL, "/")
	return &handlers{Deps: d, jwksBody: b, metrics: newMetrics(d.Registry)}
}

// --- Key set and discovery ---

type jwksOutput struct {
	ContentType  string `header:"Content-Type"`
	CacheControl string `header:"Cache-Control"`
	Body         []byte
}

func (h *handlers) jwks(context.Context, *struct{}) (*jwksOutput, error) {
	// Five minutes: a verifier that meets an unknown kid fetches again at once,
	// so a new key is picked up without waiting for the copy to expire.
	return &jwksOutput{ContentType: "application/json", CacheControl: "public, max-age=300", Body: h.jwksBody}, nil
}

type configurationOutput struct {
	Body struct {
		Issuer                   string   `json:"issuer" example:"multi-magasins"`
		JWKSURI                  string   `json:"jwks_uri"`
		TokenEndpoint            string   `json:"token_endpoint"`
		RevocationEndpoint       string   `json:"revocation_endpoint"`
		GrantTypesSupported      []string `json:"grant_types_supported"`
		TokenEndpointAuthMethods []string `json:"token_endpoint_auth_methods_supported"`
		ClaimsSupported          []string `json:"claims_supported"`
	}
}

func (h *handlers) configuration(context.Context, *struct{}) (*configurationOutput, error) {
	out := &configurationOutput{}
	b := &out.Body
	b.Issuer = h.Issuer
	b.JWKSURI = h.PublicURL + "/.well-known/jwks.json"
	b.TokenEndpoint = h.PublicURL + "/auth/jeton"
	b.RevocationEndpoint = h.PublicURL + "/auth/revocation"
	b.GrantTypesSupported = []string{grantPassword, grantClientCredentials, grantRefreshToken}
	b.TokenEndpointAuthMethods = []string{"client_secret_basic", "client_secret_post"}
	b.ClaimsSupported = []string{"iss", "aud", "sub", "exp", "iat", "nbf", "jti",
		kit.ClaimRoles, kit.ClaimClientID, kit.ClaimMagasinID, kit.ClaimName}
	return out, nil
}

// --- Who am I ---

type moiOutput struct {
	Body struct {
		Sujet     string     `json:"sujet" example:"personnel:caissier1"`
		Nom       string     `json:"nom,omitempty"`
		Roles     []kit.Role `json:"roles"`
		ClientID  int64      `json:"client_id,omitempty"`
		MagasinID int64      `json:"magasin_id,omitempty"`
	}
}

type moiInput struct {
	Role []kit.Role `query:"role,explode" maxItems:"5" enum:"client,caissier,logistique,maison_mere,service" doc:"When given, 403 unless the token holds at least one of these roles: a gateway that cannot verify tokens itself (the native nginx one) asks here before merging reports."`
}

func (h *handlers) moi(ctx context.Context, in *moiInput) (*moiOutput, error) {
	p := kit.PrincipalOf(ctx)
	if len(in.Role) > 0 && !slices.ContainsFunc(in.Role, p.Has) {
		return nil, huma.Error403Forbidden("this token holds none of the roles asked for")
	}
	out := &moiOutput{}
	out.Body.Sujet, out.Body.Nom, out.Body.Roles = p.Subject, p.Name, p.Roles
	out.Body.ClientID, out.Body.MagasinID = p.ClientID, p.MagasinID
	return out, nil
}

// --- Sign-out ---

// demandeRevocation documents the body of POST /auth/revocation.
type demandeRevocation struct {
	Token         string `json:"token" doc:"The refresh token to revoke, with every token of its sign-in."`
	TokenTypeHint string `json:"token_type_hint,omitempty" enum:"refresh_token,access_token" doc:"Ignored: only refresh tokens can be revoked; an access token lives 15 minutes at most."`
}

type revocationInput struct {
	ContentType string `header:"Content-Type"`
	RawBody     []byte
}

type revocationOutput struct {
	CacheControl string `header:"Cache-Control"`
}

func (h *handlers) revocation(ctx context.Context, in *revocationInput) (*revocationOutput, error) {
	f, err := parseFields(in.ContentType, in.RawBody, "token", "token_type_hint")
	if err != nil {
		return nil, err
	}
	tok := f["token"]
	if tok == "" {
		return nil, badField("token", "required", nil)
	}
	if err := h.Repo.RevoquerFamille(ctx, identite.Empreinte(tok)); err != nil {
		return nil, kit.Internal(ctx, h.Log, err)
	}
	return &revocationOutput{CacheControl: "no-store"}, nil
}

// huma.Context gives the handlers the peer address and every header line.
var _ huma.Resolver = (*jetonInput)(nil)
