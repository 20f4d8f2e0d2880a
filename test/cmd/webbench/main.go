// Command webbench measures how long the web app takes to render each of its
// pages, as the person who sees it, on one web instance directly and through
// nginx, and prints p50, p95 and p99 per page.
//
//	go run ./test/cmd/webbench -web http://127.0.0.1:8004 -nginx http://127.0.0.1:8088
//
// It signs in once per role through the app's own forms (/connexion for the
// demo staff accounts, /inscription for a fresh client) and keeps each
// session's cookie, then loads each page -n times at a constant -rate
// (vegeta), one page after the other: the numbers are a page's render time
// under a light steady load, not the fleet's capacity. A page must answer
// 200 each time (redirects are not followed): a session that expired or a
// page that fails shows in the ok column.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"multimagasins/test/internal/webpages"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "webbench:", err)
		os.Exit(1)
	}
}

// pages are the pages measured: every page of the app that answers 200
// (webpages.All; the refusal page is the browser suite's only).
var pages = func() []webpages.Page {
	var out []webpages.Page
	for _, p := range webpages.All {
		if p.Status == 0 {
			out = append(out, p)
		}
	}
	return out
}()

// href is a link's path in a page's HTML.
var href = regexp.MustCompile(`href="(/[^"?#]*)`)

type config struct {
	targets  []target
	rate     int
	n        int
	warmup   int
	password string
	goal     time.Duration
	only     string
}

// target is where the pages are asked: a web instance or nginx.
type target struct{ name, base string }

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("webbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	web := fs.String("web", "http://127.0.0.1:8004", "one web instance, asked directly (empty: skip)")
	nginx := fs.String("nginx", "http://127.0.0.1:8088", "nginx in front of the web instances (empty: skip)")
	fs.IntVar(&c.rate, "rate", 10, "page loads per second, constant (open loop)")
	fs.IntVar(&c.n, "n", 100, "loads of each page on each target")
	fs.IntVar(&c.warmup, "warmup", 5, "loads of each page before measuring (connections, caches), not counted")
	fs.StringVar(&c.password, "password", "multimagasins", "password of the demo staff accounts")
	fs.DurationVar(&c.goal, "goal", 100*time.Millisecond, "p95 a page must stay under; the pages over it are marked")
	fs.StringVar(&c.only, "only", "", "measure only the paths containing this text")
	if err := fs.Parse(args[1:]); err != nil {
		return c, err
	}
	if *web != "" {
		c.targets = append(c.targets, target{"web", strings.TrimRight(*web, "/")})
	}
	if *nginx != "" {
		c.targets = append(c.targets, target{"nginx", strings.TrimRight(*nginx, "/")})
	}
	switch {
	case len(c.targets) == 0:
		return c, errors.New("no target: give -web, -nginx or both")
	case c.rate < 1 || c.n < 1 || c.warmup < 0:
		return c, errors.New("-rate and -n must be 1 or more, -warmup 0 or more")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	// One session per role, opened on the first target: the session cookie
	// is sealed with the key every instance shares, so it serves on all.
	cookies := map[string]string{}
	for _, p := range pages {
		if _, done := cookies[p.Role]; done {
			continue
		}
		cookie, err := signIn(ctx, c.targets[0].base, p.Role, c.password)
		if err != nil {
			return fmt.Errorf("signing in as %s: %w", p.Role, err)
		}
		cookies[p.Role] = cookie
	}

	// The client has no order yet: it orders one through the shop's forms,
	// so its order's page has something to show.
	if err := orderOne(ctx, c.targets[0].base, cookies[webpages.Client]); err != nil {
		return fmt.Errorf("ordering as client: %w", err)
	}
	// A page whose id only a list knows is that list's first link to it.
	// The client's order was just made; store 3's sales are the demo's.
	resolved := map[string]string{}
	for _, p := range pages {
		if p.Link == nil {
			continue
		}
		body, err := get(ctx, c.targets[0].base+p.ListedOn, cookies[p.Role])
		if err != nil {
			return err
		}
		for _, m := range href.FindAllStringSubmatch(body, -1) {
			if p.Link.MatchString(m[1]) {
				resolved[p.Path] = m[1]
				break
			}
		}
		if resolved[p.Path] == "" {
			fmt.Fprintf(stderr, "webbench: %s lists no %s: %s not measured\n", p.ListedOn, p.Link, p.Path)
		}
	}

	fmt.Fprintf(stdout, "%d loads per page per target at %d/s after %d warm-up loads; goal p95 < %s\n\n", c.n, c.rate, c.warmup, c.goal)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\trole\tpage\tok\tp50\tp95\tp99\tmax\t")
	var over []string
	for _, t := range c.targets {
		for _, p := range pages {
			if c.only != "" && !strings.Contains(p.Path, c.only) {
				continue
			}
			path := p.Path
			if p.Link != nil {
				if path = resolved[p.Path]; path == "" {
					continue
				}
			}
			if c.warmup > 0 {
				if _, err := measure(ctx, t.base+path, cookies[p.Role], c.rate, c.warmup); err != nil {
					return err
				}
			}
			s, err := measure(ctx, t.base+path, cookies[p.Role], c.rate, c.n)
			if err != nil {
				return err
			}
			mark := ""
			if s.p95 >= c.goal || s.ok < s.sent {
				mark = "✗"
				over = append(over, t.name+" "+p.Role+" "+p.Path)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\t%s\t%s\n", t.name, p.Role, p.Path, s.ok, s.sent,
				ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max), mark)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(over) > 0 {
		fmt.Fprintf(stdout, "\nover the goal or not always 200 (✗): %s\n", strings.Join(over, ", "))
	}
	return nil
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}

// stats are one page's loads on one target.
type stats struct {
	sent, ok           int
	p50, p95, p99, max time.Duration
}

// measure loads addr n times at rate per second with the cookie and returns
// the exact percentiles of the loads that answered 200.
func measure(ctx context.Context, addr, cookie string, rate, n int) (stats, error) {
	hdr := http.Header{}
	if cookie != "" {
		hdr.Set("Cookie", cookie)
	}
	atk := vegeta.NewAttacker(vegeta.Timeout(30*time.Second), vegeta.KeepAlive(true), vegeta.Redirects(vegeta.NoFollow))
	// The duration gives n loads at the constant pace; the pacer starts
	// with the first at once, so a hair less than n/rate seconds.
	d := time.Duration(n) * time.Second / time.Duration(rate)
	results := atk.Attack(vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: addr, Header: hdr}),
		vegeta.Rate{Freq: rate, Per: time.Second}, d-time.Millisecond, addr)
	var (
		s   stats
		lat []time.Duration
	)
	for {
		select {
		case <-ctx.Done():
			atk.Stop()
			return s, ctx.Err()
		case r, open := <-results:
			if !open {
				s.p50, s.p95, s.p99 = quantile(lat, .50), quantile(lat, .95), quantile(lat, .99)
				if len(lat) > 0 {
					s.max = lat[len(lat)-1]
				}
				return s, nil
			}
			s.sent++
			if r.Code == http.StatusOK && r.Error == "" {
				s.ok++
				i, _ := slices.BinarySearch(lat, r.Latency)
				lat = slices.Insert(lat, i, r.Latency)
			}
		}
	}
}

// quantile is the nearest-rank q-quantile of sorted.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// noRedirect answers a form with its own 303, whose cookie and Location
// are what counts here.
var noRedirect = &http.Client{Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get returns the page's HTML; anything but 200 is an error.
func get(ctx context.Context, addr, cookie string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
	if err != nil {
		return "", err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", addr, resp.Status)
	}
	return string(b), err
}

// post sends a form as the session and expects the app's 303.
func post(ctx context.Context, addr, cookie string, form url.Values) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, addr, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", cookie)
	resp, err := noRedirect.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("POST %s: %s", addr, resp.Status)
	}
	return nil
}

// cleCommande is the checkout form's idempotency key, in the shop's page.
var cleCommande = regexp.MustCompile(`name="cle" value="([0-9a-f-]{36})"`)

// orderOne puts one product in the client's cart and checks it out, as the
// shop's two forms do.
func orderOne(ctx context.Context, base, cookie string) error {
	if err := post(ctx, base+"/boutique/panier", cookie, url.Values{"produit_id": {"3"}, "quantite": {"1"}}); err != nil {
		return err
	}
	body, err := get(ctx, base+"/boutique", cookie)
	if err != nil {
		return err
	}
	m := cleCommande.FindStringSubmatch(body)
	if m == nil {
		return errors.New("the shop's page has no checkout form after adding to the cart")
	}
	return post(ctx, base+"/boutique/commander", cookie, url.Values{"cle": {m[1]}})
}

// signIn opens role's session through the app's forms and returns the
// Cookie header that carries it ("" for anonyme).
func signIn(ctx context.Context, base, role, password string) (string, error) {
	if role == webpages.Anonyme {
		return "", nil
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return "", err
	}
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		// The answer to a form is a 303: its cookie is what counts here.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form, path := url.Values{}, "/connexion"
	if role == webpages.Client {
		path = "/inscription"
		form.Set("nom", "Banc d'essai")
		form.Set("email", "webbench-"+strconv.FormatInt(time.Now().UnixNano(), 36)+"@exemple.ca")
		form.Set("mot_de_passe", "webbench-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	} else {
		form.Set("identifiant", role)
		form.Set("mot_de_passe", password)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, ck := range jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	if resp.StatusCode != http.StatusSeeOther || len(parts) == 0 {
		return "", fmt.Errorf("POST %s answered %s with %d cookie(s), not 303 with the session", path, resp.Status, len(parts))
	}
	if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "/connexion") || strings.HasPrefix(loc, "/inscription") {
		return "", fmt.Errorf("POST %s sent back to %s: refused", path, loc)
	}
	return strings.Join(parts, "; "), nil
}
