package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/oauth2"

	"multimagasins/kit"
)

// refreshBefore is how long before its expiry an access token is traded for
// a new one: a page's service calls must not meet a token that just expired.
const refreshBefore = time.Minute

// withSession reads the session cookie, refreshes its tokens when they near
// their expiry, and verifies the access token with identite's keys. Under
// the request's context it leaves who the person is (kit.PrincipalOf) and
// their token for every service call (kit.WithBearer). Anyone else is
// anonymous: the app trusts only its own sealed cookie and a token that
// verified, never an Authorization header a browser could not have sent.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, token := s.sessionOf(w, r)
		ctx := kit.WithPrincipal(r.Context(), p)
		if token != "" {
			ctx = kit.WithBearer(ctx, token)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) sessionOf(w http.ResponseWriter, r *http.Request) (kit.Principal, string) {
	c, err := r.Cookie(CookieSession)
	if err != nil || c.Value == "" {
		return kit.Principal{}, ""
	}
	sess, err := s.sealer.open(c.Value)
	if err != nil || time.Now().After(sess.End) {
		// Tampered, sealed with another key, or too old: forget it.
		clearSession(w, r)
		return kit.Principal{}, ""
	}
	ctx := r.Context()
	if time.Until(sess.Expiry) < refreshBefore {
		tok, err := s.identite.refresh(withForwardedFor(ctx, r), sess.Refresh)
		switch {
		case err == nil:
			next := sessionFrom(tok, sess.End)
			if next.Refresh == "" {
				next.Refresh = sess.Refresh
			}
			if _, verr := s.verifier.Verify(ctx, next.Access); verr != nil {
				s.log.WarnContext(ctx, "refreshed token does not verify", "err", verr)
				return kit.Principal{}, ""
			}
			sess = next
			if err := s.setSession(w, r, sess); err != nil {
				s.log.ErrorContext(ctx, "seal session", "err", err)
			}
		case refused(err):
			// Revoked or expired at identite: the person signs in again.
			clearSession(w, r)
			return kit.Principal{}, ""
		default:
			// identite is away: the token still serves until it expires, and
			// the next request tries again.
			s.log.WarnContext(ctx, "refresh", "err", err)
			if time.Now().After(sess.Expiry) {
				return kit.Principal{}, ""
			}
		}
	}
	p, err := s.verifier.Verify(ctx, sess.Access)
	if err != nil || p.Anonymous() {
		// Not cleared: identite's key set may be out of reach for a moment,
		// and the cookie holds nothing this app did not verify when it sealed it.
		s.log.InfoContext(ctx, "session token does not verify", "err", err)
		return kit.Principal{}, ""
	}
	return p, sess.Access
}

// sessionFrom is the cookie's content for tokens identite just gave.
func sessionFrom(tok *oauth2.Token, end time.Time) session {
	exp := tok.Expiry
	if exp.IsZero() {
		// No expires_in: assume the shortest life, so the app refreshes early.
		exp = time.Now().Add(refreshBefore)
	}
	return session{Access: tok.AccessToken, Refresh: tok.RefreshToken, Expiry: exp, End: end}
}

// rule is who may open a page or post a form, beside its route in routes.go.
type rule struct {
	who   string // for the 403 page: "la maison mère"
	allow func(p kit.Principal, r *http.Request) bool
}

func hasRole(who string, roles ...kit.Role) rule {
	return rule{who: who, allow: func(p kit.Principal, _ *http.Request) bool {
		for _, role := range roles {
			if p.Has(role) {
				return true
			}
		}
		return false
	}}
}

var (
	asClient = rule{who: "les clients", allow: func(p kit.Principal, _ *http.Request) bool {
		return p.Has(kit.RoleClient) && p.ClientID != 0
	}}
	asMaisonMere = hasRole("la maison mère", kit.RoleMaisonMere)
	// The centre's requests: its clerks, and the head office, which approves
	// supply requests too (as the stock service allows it).
	asLogistique = hasRole("le centre logistique et la maison mère", kit.RoleLogistique, kit.RoleMaisonMere)
	// The store list: the head office picks any store, a caissier goes to its own.
	asStoreStaff = hasRole("le personnel des magasins et la maison mère", kit.RoleCaissier, kit.RoleMaisonMere)
	// A store's page: its own caissier, and the head office, which sees every store.
	viewsStore = rule{who: "le personnel de ce magasin et la maison mère", allow: func(p kit.Principal, r *http.Request) bool {
		return p.Has(kit.RoleMaisonMere) || cashierOf(p, r)
	}}
	// The till (sales, returns): that store's caissier only.
	atTill = rule{who: "les caissiers de ce magasin", allow: func(p kit.Principal, r *http.Request) bool {
		return cashierOf(p, r)
	}}
)

// cashierOf reports whether p is a caissier of the store named by {id}.
func cashierOf(p kit.Principal, r *http.Request) bool {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	return err == nil && p.Has(kit.RoleCaissier) && p.MagasinID != 0 && p.MagasinID == id
}

// only lets through who rule allows. An anonymous visitor is sent to sign in
// (and brought back to the page it asked for); a signed-in person without the
// right gets a 403 page that says who may.
func (s *Server) only(ru rule) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := kit.PrincipalOf(r.Context())
			if ru.allow(p, r) {
				next.ServeHTTP(w, r)
				return
			}
			if p.Anonymous() {
				target := "/connexion"
				if r.Method == http.MethodGet {
					target += "?retour=" + url.QueryEscape(r.URL.RequestURI())
				}
				http.Redirect(w, r, target, http.StatusSeeOther)
				return
			}
			s.forbidden(w, r, "Cette page est réservée à "+ru.who+".")
		})
	}
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, why string) {
	s.renderStatus(w, r, http.StatusForbidden, "refus.html", "Accès refusé", nil, map[string]any{"Motif": why})
}

// localPath returns retour when it is a path of this site, "" otherwise: a
// sign-in link must not send anyone elsewhere (no open redirect).
func localPath(retour string) string {
	if retour == "" || !strings.HasPrefix(retour, "/") || strings.HasPrefix(retour, "//") ||
		strings.ContainsAny(retour, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(retour)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return ""
	}
	if u.Path == "/connexion" || u.Path == "/inscription" {
		return ""
	}
	return u.RequestURI()
}

// homeOf is where a person lands after signing in with no page to go back to.
func homeOf(p kit.Principal) string {
	switch {
	case p.Has(kit.RoleMaisonMere):
		return "/maison-mere"
	case p.Has(kit.RoleCaissier) && p.MagasinID != 0:
		return "/magasins/" + strconv.FormatInt(p.MagasinID, 10)
	case p.Has(kit.RoleLogistique):
		return "/logistique"
	case p.Has(kit.RoleClient):
		return "/boutique"
	}
	return "/"
}

// espace is one space of the app that the nav and the home page offer.
type espace struct {
	Nom, Lien, Description string
}

// espacesDe lists the spaces p may open, and only those.
func espacesDe(p kit.Principal) []espace {
	var out []espace
	if p.Has(kit.RoleMaisonMere) {
		out = append(out,
			espace{"Maison mère", "/maison-mere", "rapports, catalogue et seuils"},
			espace{"Magasins", "/magasins", "stock et demandes de chaque magasin"},
			espace{"Logistique", "/logistique", "stock du centre et demandes à traiter"})
	}
	if p.Has(kit.RoleCaissier) && p.MagasinID != 0 {
		out = append(out, espace{"Mon magasin", "/magasins/" + strconv.FormatInt(p.MagasinID, 10),
			"stock, ventes au comptoir, retours et demandes"})
	}
	if p.Has(kit.RoleLogistique) && !p.Has(kit.RoleMaisonMere) {
		out = append(out, espace{"Logistique", "/logistique", "stock du centre et demandes à traiter"})
	}
	if p.Anonymous() || p.Has(kit.RoleClient) {
		out = append(out, espace{"Boutique en ligne", "/boutique", "catalogue, panier et commandes"})
	}
	return out
}

// Connexion shows the sign-in form.
func (s *Server) Connexion(w http.ResponseWriter, r *http.Request) {
	s.signInPage(w, r, http.StatusOK, "", localPath(r.URL.Query().Get("retour")), nil)
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request, status int, identifiant, retour string, erreurs []string) {
	s.renderStatus(w, r, status, "connexion.html", "Connexion", erreurs, map[string]any{
		"Identifiant": identifiant, "Retour": retour})
}

// Connecter signs in at identite's token endpoint with the form's account
// and password, verifies the token it gives, and seals it into the cookie.
func (s *Server) Connecter(w http.ResponseWriter, r *http.Request) {
	identifiant := strings.TrimSpace(r.PostFormValue("identifiant"))
	retour := localPath(r.PostFormValue("retour"))
	if identifiant == "" || r.PostFormValue("mot_de_passe") == "" {
		s.signInPage(w, r, http.StatusUnprocessableEntity, identifiant, retour,
			[]string{"Saisissez votre identifiant et votre mot de passe."})
		return
	}
	p, err := s.signIn(w, r, identifiant, r.PostFormValue("mot_de_passe"))
	if err != nil {
		status, why := signInRefusal(err)
		s.signInPage(w, r, status, identifiant, retour, []string{why})
		return
	}
	if retour == "" {
		retour = homeOf(p)
	}
	redirect(w, r, retour, nil, "Bonjour "+nameOf(p)+".")
}

// signIn trades an account and password for tokens and seals them.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, username, password string) (kit.Principal, error) {
	ctx := r.Context()
	tok, err := s.identite.password(withForwardedFor(ctx, r), username, password)
	if err != nil {
		return kit.Principal{}, err
	}
	p, err := s.verifier.Verify(ctx, tok.AccessToken)
	if err != nil {
		s.log.ErrorContext(ctx, "identite's token does not verify", "err", err)
		return kit.Principal{}, errUnverified
	}
	if err := s.setSession(w, r, sessionFrom(tok, time.Now().Add(sessionLife))); err != nil {
		return kit.Principal{}, err
	}
	return p, nil
}

type signInError string

func (e signInError) Error() string { return string(e) }

const errUnverified = signInError("the token does not verify")

func signInRefusal(err error) (int, string) {
	switch {
	case refused(err):
		return http.StatusUnauthorized, "Identifiant ou mot de passe incorrect."
	case throttled(err):
		return http.StatusTooManyRequests, "Trop de tentatives de connexion : réessayez dans quelques minutes."
	}
	return http.StatusServiceUnavailable, "La connexion est indisponible pour le moment ; réessayez dans un instant."
}

func nameOf(p kit.Principal) string {
	if p.Name != "" {
		return p.Name
	}
	return p.Subject
}

// Deconnecter revokes the session's refresh token at identite and forgets
// the cookie. The access token dies on its own within minutes.
func (s *Server) Deconnecter(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieSession); err == nil {
		if sess, err := s.sealer.open(c.Value); err == nil && sess.Refresh != "" {
			ctx, cancel := context.WithTimeout(r.Context(), identiteTimeout)
			defer cancel()
			if err := s.identite.revoke(ctx, sess.Refresh); err != nil {
				s.log.WarnContext(r.Context(), "revoke refresh token", "err", err)
			}
		}
	}
	clearSession(w, r)
	redirect(w, r, "/", nil, "Vous êtes déconnecté.")
}

// Inscription shows the sign-up form for shoppers.
func (s *Server) Inscription(w http.ResponseWriter, r *http.Request) {
	s.renderStatus(w, r, http.StatusOK, "inscription.html", "Créer un compte", nil, Inscription{})
}

// Inscrire opens a customer account at identite, then signs in with it.
func (s *Server) Inscrire(w http.ResponseWriter, r *http.Request) {
	in := Inscription{
		Nom: strings.TrimSpace(r.PostFormValue("nom")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Telephone: strings.TrimSpace(r.PostFormValue("telephone")), Adresse: strings.TrimSpace(r.PostFormValue("adresse")),
		MotDePasse: r.PostFormValue("mot_de_passe"),
	}
	again := func(status int, why string) {
		in.MotDePasse = "" // never sent back to the page
		s.renderStatus(w, r, status, "inscription.html", "Créer un compte", []string{why}, in)
	}
	if in.Nom == "" || in.Email == "" || in.MotDePasse == "" {
		again(http.StatusUnprocessableEntity, "Le nom, le courriel et le mot de passe sont requis.")
		return
	}
	if err := s.identite.signUp(r.Context(), in); err != nil {
		status := kit.StatusOf(err)
		if status < 400 || status >= 500 {
			status = http.StatusServiceUnavailable
		}
		again(status, message(err))
		return
	}
	if _, err := s.signIn(w, r, in.Email, in.MotDePasse); err != nil {
		// The account exists; only the sign-in failed.
		_, why := signInRefusal(err)
		redirect(w, r, "/connexion?retour=%2Fboutique", formError("Compte créé ; connectez-vous. "+why), "")
		return
	}
	redirect(w, r, "/boutique", nil, "Compte créé. Bienvenue !")
}
