// Package ui serves the browser interface, rendered on the server with
// html/template and no external assets, so it works offline and behind nginx.
// It keeps no state of its own: every page is read from the services on each
// request, and every form posts, then redirects (303) to a page that reads again.
// Who is signed in travels in a sealed cookie holding identite's tokens
// (session.go); each service call carries that person's token, so the
// services, not the pages, decide what the person may read and change.
package ui

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/paiementapi"
	"multimagasins/kit/api/panierapi"
	"multimagasins/kit/api/sagaapi"
	"multimagasins/kit/api/stockapi"
)

//go:embed templates/*.html
var templates embed.FS

// The style sheet and the script are each one file in the browser and
// several here, one per part of the app (static/app.css first): each page
// part keeps its own, and the browser still makes one request for each.
//
//go:embed static/*.css static/*.js
var static embed.FS

var (
	appCSS = bundle("*.css", "app.css")
	appJS  = bundle("*.js", "")
)

// bundle joins the embedded static files matching pattern, first before the
// rest, the rest in name order.
func bundle(pattern, first string) []byte {
	names, err := fs.Glob(static, "static/"+pattern)
	if err != nil {
		panic(err)
	}
	slices.SortFunc(names, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case path.Base(a) == first:
			return -1
		case path.Base(b) == first:
			return 1
		}
		return strings.Compare(a, b)
	})
	var out []byte
	for _, n := range names {
		b, err := static.ReadFile(n)
		if err != nil {
			panic(err)
		}
		out = append(append(out, b...), '\n')
	}
	return out
}

var funcs = template.FuncMap{
	"argent":  argent,
	"nombre":  nombre,
	"date":    formatDate,
	"iso":     func(t time.Time) string { return t.Format(time.RFC3339Nano) },
	"ecart":   ecart,
	"statut":  statutDemande,
	"magasin": nomMagasin,
}

var pages = template.Must(template.New("").Funcs(funcs).ParseFS(templates, "templates/*.html"))

// Config is what the pages need to know about their surroundings.
type Config struct {
	Instance        string // which copy of the app answered; nginx round-robins two
	GatewayURL      string // where the public API lives
	StockURL        string
	CommandeURL     string
	PaiementURL     string
	PanierURL       string
	ClientsURL      string
	OrchestratorURL string
	IdentiteURL     string        // sign-in, refresh, revocation and sign-up
	SessionKey      string        // seals the session cookie; the same in every instance
	Timeout         time.Duration // per service call; a saga may take several seconds
}

// HeaderInstance names the instance on every page answer, so a load balancer
// test can count who answered without parsing HTML.
const HeaderInstance = "X-Instance"

// Server holds one typed client per service, made once so connections are
// reused. The types the pages show are the services' own (multimagasins/kit/api).
type Server struct {
	cfg      Config
	log      *slog.Logger
	verifier kit.Verifier // identite's keys: who a session's token speaks for
	sealer   *sealer
	identite *identite
	stock    *stockapi.Client
	commande *commandeapi.Client
	panier   *panierapi.Client
	clients  *clientsapi.Client
	orch     *sagaapi.Client
	paiement *paiementapi.Client // a client reads its own payments (its order page)
}

// New returns the interface's handlers for cfg. verifier checks the tokens
// identite gives (its JWKS); no token is trusted before it has passed.
func New(cfg Config, verifier kit.Verifier, log *slog.Logger) (*Server, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	if verifier == nil {
		return nil, errors.New("ui: a token verifier is required")
	}
	if cfg.IdentiteURL == "" {
		return nil, errors.New("ui: IdentiteURL is required")
	}
	sl, err := newSealer(cfg.SessionKey)
	if err != nil {
		return nil, err
	}
	// Every call to a service carries the signed-in person's token
	// (kit.WithBearer, set per request by the session middleware) and none
	// of the app's own: the services decide what that person may do.
	return &Server{
		cfg: cfg, log: log, verifier: verifier, sealer: sl,
		identite: newIdentite(cfg.IdentiteURL, min(cfg.Timeout, identiteTimeout)),
		stock:    stockapi.New(kit.NewClient(cfg.StockURL, cfg.Timeout)),
		commande: commandeapi.New(kit.NewClient(cfg.CommandeURL, cfg.Timeout)),
		panier:   panierapi.New(kit.NewClient(cfg.PanierURL, cfg.Timeout)),
		clients:  clientsapi.New(kit.NewClient(cfg.ClientsURL, cfg.Timeout)),
		orch:     sagaapi.New(kit.NewClient(cfg.OrchestratorURL, cfg.Timeout)),
		paiement: paiementapi.New(kit.NewClient(cfg.PaiementURL, cfg.Timeout)),
	}, nil
}

// ensemble runs a page's independent service calls at once, so the page
// costs its slowest call rather than their sum, and returns the message of
// each that failed, each once (a service down fails all its calls alike).
func ensemble(appels ...func() error) []string {
	errs := make([]error, len(appels))
	var wg sync.WaitGroup
	for i, appel := range appels {
		wg.Go(func() { errs[i] = appel() })
	}
	wg.Wait()
	var out []string
	for _, err := range errs {
		if err != nil && !slices.Contains(out, message(err)) {
			out = append(out, message(err))
		}
	}
	return out
}

// identiteTimeout bounds a sign-in, refresh or revocation: a page waits on it.
const identiteTimeout = 5 * time.Second

// vue is what every template receives: the page's own data plus the flash
// messages carried by the redirect's query string.
type vue struct {
	Titre     string
	Instance  string
	RequestID string
	OK        string
	Erreurs   []string
	Qui       kit.Principal // the signed-in person; Anonymous() when nobody
	Espaces   []espace      // the spaces Qui may open, for the nav and the home page
	// Rafraichir, in seconds, reloads the page by itself (a meta refresh: the
	// CSP allows no script) while the saga it shows is not over.
	Rafraichir int
	Data       any
	// Panier is the header's cart badge: a signed-in client's only (boutique_panier.go).
	Panier *badgePanier
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name, titre string, erreurs []string, data any) {
	s.renderStatus(w, r, http.StatusOK, name, titre, erreurs, data)
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name, titre string, erreurs []string, data any) {
	s.renderPage(w, r, status, name, titre, erreurs, data, 0)
}

// renderSaga renders a page that shows the saga a form started (sg, nil
// when none): while that saga is not over, the page reloads itself until it is.
func (s *Server) renderSaga(w http.ResponseWriter, r *http.Request, name, titre string, erreurs []string, data any, sg *sagaapi.Saga) {
	s.renderPage(w, r, http.StatusOK, name, titre, erreurs, data, rafraichir(sg))
}

// How often a page showing a saga that is not over reloads itself: soon
// while recovery retries it every few seconds, rarely once it is à vérifier
// (recovery then waits minutes between tries, and a person must look).
const (
	rafraichirEnCours   = 2
	rafraichirAVerifier = 30
)

func rafraichir(sg *sagaapi.Saga) int {
	switch {
	case sg == nil || sg.Termine:
		return 0
	case sg.AVerifier:
		return rafraichirAVerifier
	}
	return rafraichirEnCours
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name, titre string, erreurs []string, data any, refresh int) {
	qui := kit.PrincipalOf(r.Context())
	v := vue{Titre: titre, Instance: s.cfg.Instance, RequestID: kit.RequestID(r.Context()),
		OK: r.URL.Query().Get("ok"), Erreurs: erreurs, Qui: qui, Espaces: espacesDe(qui), Rafraichir: refresh, Data: data,
		Panier: s.badgeDe(r)}
	if e := r.URL.Query().Get("erreur"); e != "" {
		v.Erreurs = append([]string{e}, v.Erreurs...)
	}
	// Render into a buffer first: a template error must not leave half a page behind a 200.
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, v); err != nil {
		s.log.ErrorContext(r.Context(), "render", "page", name, "err", err)
		kit.WriteProblem(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set(HeaderInstance, s.cfg.Instance)
	// Pages show one person's cart, orders or store: no shared cache keeps them,
	// and the browser does not show them again from its history after sign-out.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// redirect ends every form: 303 so the browser reloads with GET, and a
// refresh does not post twice. The message travels in the query string.
func redirect(w http.ResponseWriter, r *http.Request, path string, err error, ok string) {
	q := url.Values{}
	if err != nil {
		q.Set("erreur", message(err))
	} else if ok != "" {
		q.Set("ok", ok)
	}
	path, fragment, _ := strings.Cut(path, "#")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	if len(q) > 0 {
		path += sep + q.Encode()
	}
	if fragment != "" {
		path += "#" + fragment
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// message turns a service's answer into a sentence in French: the problem's
// detail and each field it names, never the raw JSON.
func message(err error) string {
	var fe formError
	if errors.As(err, &fe) {
		return string(fe)
	}
	var pe *kit.ProblemError
	if !errors.As(err, &pe) {
		return "Service indisponible pour le moment ; réessayez dans un instant."
	}
	var b strings.Builder
	switch pe.Status {
	case http.StatusNotFound:
		b.WriteString("Introuvable")
	case http.StatusConflict:
		b.WriteString("Refusé (conflit avec l'état actuel)")
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		b.WriteString("Données refusées")
	case http.StatusPaymentRequired:
		b.WriteString("Paiement refusé")
	default:
		if pe.Status >= 500 {
			b.WriteString("Service indisponible pour le moment")
		} else {
			b.WriteString("Demande refusée")
		}
	}
	if pe.Problem.Detail != "" {
		b.WriteString(" : " + pe.Problem.Detail)
	}
	for _, d := range pe.Problem.Errors {
		if d == nil {
			continue
		}
		fmt.Fprintf(&b, " — %s : %s", champ(d.Location), d.Message)
		if d.Value != nil {
			fmt.Fprintf(&b, " (valeur : %s)", lisible(fmt.Sprint(d.Value)))
		}
	}
	b.WriteString(".")
	return b.String()
}

// lisible shows a refused value as the person can read it: a control
// character the service refused (a NUL, say) is shown as U+FFFD rather than
// sent back into the page and its address.
func lisible(v string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, v)
}

// champ names a problem's field location in words a user knows.
func champ(loc string) string {
	loc = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(loc, "body."), "query."), "path.")
	switch {
	case loc == "produit_id" || strings.HasSuffix(loc, ".produit_id"):
		return "produit"
	case loc == "quantite" || strings.HasSuffix(loc, ".quantite"):
		return "quantité"
	case loc == "jusqu_a":
		return "jusqu'au"
	case loc == "id":
		return "identifiant"
	}
	return strings.ReplaceAll(loc, "_", " ")
}

// formError is a form the page refused before calling any service.
type formError string

func (e formError) Error() string { return string(e) }

func entier(s, nom string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, formError(fmt.Sprintf("Le champ « %s » doit être un nombre entier.", nom))
	}
	return n, nil
}

// sagaLue reads the saga named in the page's query (after a redirect).
func (s *Server) sagaLue(r *http.Request) (*sagaapi.Saga, error) {
	texte := r.URL.Query().Get("saga")
	if texte == "" {
		return nil, nil
	}
	id, err := uuid.Parse(texte)
	if err != nil {
		return nil, formError("Cette opération est introuvable (identifiant « " + texte + " » invalide).")
	}
	sg, err := s.orch.GetSaga(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return &sg, nil
}

// sagaPage is where a form that started a saga lands: the page shows the
// saga, and reloads itself while it is not over (a 202: it waits for the
// orchestrator's recovery).
func sagaPage(base string, r sagaapi.Resultat) string {
	return base + "?saga=" + url.QueryEscape(r.SagaID.String()) + "#saga-resultat"
}

func statutDemande(s string) string {
	switch s {
	case "en_attente":
		return "En attente"
	case "approuvee":
		return "Approuvée"
	case "refusee":
		return "Refusée"
	case "livree":
		return "Livrée"
	}
	return s
}

// ecart shows a store's gap to the chain's average; the service sends null
// when the average is zero.
func ecart(p *float64) template.HTML {
	if p == nil {
		return "—"
	}
	return template.HTML(template.HTMLEscapeString(strings.Replace(fmt.Sprintf("%+.1f", *p), ".", ",", 1)) + "&nbsp;%")
}

// argent writes an amount as fr-CA does: "150 478,24 $", the thousands
// grouped by a narrow no-break space (U+202F), a decimal comma, and a
// no-break space (U+00A0) before the sign, so that an amount never wraps.
// Every amount of every page goes through it.
func argent(c kit.Cents) string {
	entier, dec, _ := strings.Cut(c.String(), ".")
	return grouper(entier) + "," + dec + "\u00a0$"
}

// nombre writes a count as fr-CA does: "12 345", grouped by a narrow
// no-break space like argent; a fraction (an average) gets at most two
// decimals after a comma: "0,6". Every count of every page goes through it.
func nombre(v any) string {
	switch n := v.(type) {
	case int:
		return grouper(strconv.Itoa(n))
	case int64:
		return grouper(strconv.FormatInt(n, 10))
	case float64:
		n = math.Round(n*100) / 100
		if n == 0 {
			n = 0 // not "-0"
		}
		entier, dec, _ := strings.Cut(strconv.FormatFloat(n, 'f', -1, 64), ".")
		if dec != "" {
			return grouper(entier) + "," + dec
		}
		return grouper(entier)
	}
	return fmt.Sprint(v)
}

// grouper puts a narrow no-break space (U+202F) between groups of three
// digits of an integer written in base 10, sign kept.
func grouper(entier string) string {
	var b strings.Builder
	if rest, ok := strings.CutPrefix(entier, "-"); ok {
		b.WriteByte('-')
		entier = rest
	}
	for i := range len(entier) {
		if i > 0 && (len(entier)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteByte(entier[i])
	}
	return b.String()
}

// argentCourt writes an amount in few characters for a chart's axis, where
// the values are round: "500 $", "12 k$", "1,5 M$" (whole dollars, then
// thousands, then millions, at most one decimal). Tables keep argent.
func argentCourt(c kit.Cents) string {
	dollars := float64(c) / 100
	unite, div := "$", 1.0
	switch a := math.Abs(dollars); {
	case a >= 1e6:
		unite, div = "M$", 1e6
	case a >= 1e3:
		unite, div = "k$", 1e3
	}
	v := dollars / div
	if div == 1 {
		return nombre(int64(math.Round(v))) + "\u00a0" + unite
	}
	return nombre(math.Round(v*10)/10) + "\u00a0" + unite
}

func formatDate(t time.Time) string { return t.In(montreal).Format("2006-01-02 15:04") }

var montreal = func() *time.Location {
	if l, err := time.LoadLocation("America/Montreal"); err == nil {
		return l
	}
	return time.UTC
}()

// Home serves the home page.
func (s *Server) Home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "accueil.html", "Accueil", nil, s.cfg)
}

// CSS serves the one style sheet, embedded in the binary.
func (s *Server) CSS(w http.ResponseWriter, _ *http.Request) {
	serveStatic(w, "text/css; charset=utf-8", appCSS)
}

// JS serves the one script. Every page works without it: it only makes
// forms quicker to fill (filtering as one types, a running total).
func (s *Server) JS(w http.ResponseWriter, _ *http.Request) {
	serveStatic(w, "text/javascript; charset=utf-8", appJS)
}

func serveStatic(w http.ResponseWriter, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(b)
}
