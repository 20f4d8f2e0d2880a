// Package httpapi is the HTTP face of the identite service: the OAuth2 token
// endpoint, its key set, sign-up and sign-out.
package httpapi

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"multimagasins/kit"
)

// Routes lists the whole API of the identite service.
func Routes(api huma.API, d Deps) {
	h := newHandlers(d)
	api.UseMiddleware(basicIsNoBearer)

	huma.Register(api, kit.Access(huma.Operation{OperationID: "jwks", Method: http.MethodGet,
		Path: "/.well-known/jwks.json", Summary: "Les clés publiques qui vérifient les jetons (JWKS, RFC 7517)"},
		kit.Public), h.jwks)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "openid-configuration", Method: http.MethodGet,
		Path: "/.well-known/openid-configuration", Summary: "Où trouver les clés et le point d'émission des jetons"},
		kit.Public), h.configuration)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "jeton", Method: http.MethodPost, Path: "/auth/jeton",
		Summary: "Obtenir un jeton (OAuth2, RFC 6749): password, client_credentials, refresh_token",
		Description: "Form (application/x-www-form-urlencoded, the standard) or JSON. client_credentials: HTTP Basic " +
			"or client_id and client_secret in the body. Errors carry the OAuth2 code in `error`.",
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusConflict,
			http.StatusUnsupportedMediaType, http.StatusTooManyRequests, http.StatusServiceUnavailable}},
		kit.Public), h.jeton)
	documentBody(api, "/auth/jeton", reflect.TypeFor[demandeJeton](), "DemandeJeton")
	huma.Register(api, kit.Access(huma.Operation{OperationID: "inscription", Method: http.MethodPost,
		Path: "/auth/inscription", Summary: "Créer son compte client",
		Description:   "Signing up again with the same email and password finishes a sign-up that was cut short.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusServiceUnavailable}},
		kit.Public), h.inscription)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "revocation", Method: http.MethodPost,
		Path: "/auth/revocation", Summary: "Se déconnecter: révoquer un jeton de rafraîchissement (RFC 7009)",
		Description:   "200 whatever the token: an unknown one is no error. Form or JSON.",
		DefaultStatus: http.StatusOK, Errors: []int{http.StatusBadRequest, http.StatusUnsupportedMediaType}},
		kit.Public), h.revocation)
	documentBody(api, "/auth/revocation", reflect.TypeFor[demandeRevocation](), "DemandeRevocation")
	huma.Register(api, kit.Access(huma.Operation{OperationID: "moi", Method: http.MethodGet, Path: "/auth/moi",
		Summary: "Qui suis-je: ce que dit mon jeton", Errors: []int{http.StatusForbidden}},
		kit.AnyClient, kit.AnyCaissier, kit.Logistique, kit.MaisonMere, kit.Services), h.moi)
}

// documentBody replaces the raw body's generic entry in the OpenAPI with the
// fields of t, under both content types the handler reads.
func documentBody(api huma.API, path string, t reflect.Type, name string) {
	op := api.OpenAPI().Paths[path].Post
	schema := api.OpenAPI().Components.Schemas.Schema(t, true, name)
	op.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
		"application/x-www-form-urlencoded": {Schema: schema},
		"application/json":                  {Schema: schema},
	}}
}

// Client credentials may come as HTTP Basic (RFC 6749 §2.3.1), which kit's
// bearer check refuses as a malformed token. On the two endpoints that may
// receive it the request is anonymous to kit.Access, and the token handler
// checks the credentials itself.
func basicIsNoBearer(ctx huma.Context, next func(huma.Context)) {
	if op := ctx.Operation(); op != nil && (op.OperationID == "jeton" || op.OperationID == "revocation") {
		if scheme, _, _ := strings.Cut(ctx.Header("Authorization"), " "); strings.EqualFold(scheme, "Basic") {
			ctx = huma.WithContext(ctx, kit.WithPrincipal(ctx.Context(), kit.Principal{}))
		}
	}
	next(ctx)
}
