package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"multimagasins/commande/internal/commande"
	"multimagasins/commande/internal/demo"
	"multimagasins/commande/internal/postgres"
	"multimagasins/commande/migrations"
	"multimagasins/kit"
	"multimagasins/kit/kittest"
)

// The report benchmarks share one database of about 100,000 generated sales,
// built the first time a benchmark asks for it (never by plain `go test`)
// and dropped by TestMain.
var bench struct {
	once   sync.Once
	base   string // the service, started on it
	db     string // database name, for the drop
	stop   func()
	err    error
	ventes int
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.stop != nil {
		bench.stop()
	}
	if bench.db != "" {
		if err := adminExec(context.Background(), kittest.AdminURL(), `DROP DATABASE IF EXISTS `+bench.db+` WITH (FORCE)`); err != nil {
			fmt.Fprintln(os.Stderr, "drop benchmark database:", err)
		}
	}
	os.Exit(code)
}

// benchParJour × 6 channels × 90 days is about 100,000 sales.
const benchParJour = 186

func benchService(b *testing.B) string {
	b.Helper()
	bench.once.Do(func() { bench.err = buildBench(kittest.TestIssuer(b).JWKSURL) })
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.base
}

// buildBench starts commande on a generated history, trusting the test
// issuer at jwksURL.
func buildBench(jwksURL string) error {
	ctx := context.Background()
	admin := kittest.AdminURL()
	bench.db = fmt.Sprintf("commande_bench_%d", os.Getpid())
	if err := adminExec(ctx, admin, `CREATE DATABASE `+bench.db); err != nil {
		return err
	}
	u := strings.Replace(admin, "/postgres?", "/"+bench.db+"?", 1)
	schemas, err := os.ReadFile(filepath.Join(repoRoot(), "deploy", "postgres", "schemas.sql"))
	if err != nil {
		return err
	}
	if err := adminExec(ctx, u, string(schemas)); err != nil {
		return err
	}
	dbURL := kittest.RoleURL(u, "commande")
	pool, err := kit.OpenDB(ctx, kit.Config{Service: "bench", DatabaseURL: dbURL, DBMaxConns: 2}, "commande", migrations.FS, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer pool.Close()
	repo := postgres.NewRepo(pool)
	begin := time.Now()
	g := postgres.Generation{Graine: 42, Jours: 90, ParJour: benchParJour}
	// The reports never look at who bought, so no clients service here:
	// any customer ids do.
	clients := make([]int64, 300)
	for i := range clients {
		clients[i] = int64(i) + 2
	}
	ventes := demo.Ventes(demo.Plan{Jours: g.Jours, ParJour: g.ParJour, Graine: g.Graine, Fin: time.Now(), Prix: demo.PrixCatalogue,
		Clients: clients})
	if bench.ventes, err = repo.InsererHistorique(ctx, g, ventes, false); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "benchmark database: %d sales generated in %s\n", bench.ventes, time.Since(begin).Round(time.Millisecond))
	if os.Getenv("RAPPORTS_EXPLAIN") != "" {
		now := time.Now()
		plans, err := repo.Plans(ctx, commande.Periode{Depuis: now.Add(-commande.PeriodeParDefaut), JusquA: now})
		if err != nil {
			return err
		}
		names := make([]string, 0, len(plans))
		for n := range plans {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			fmt.Fprintf(os.Stderr, "--- EXPLAIN (ANALYZE, BUFFERS) %s\n%s\n", n, plans[n])
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	_ = ln.Close() // the port only needs to be free for run to take it
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	env := map[string]string{"ADDR": addr, "DATABASE_URL": dbURL, "LOG_LEVEL": "warn", "JWKS_URL": jwksURL}
	go func() { done <- run(sctx, nil, func(k string) string { return env[k] }, io.Discard) }()
	bench.stop = func() {
		cancel()
		if err := <-done; err != nil {
			fmt.Fprintln(os.Stderr, "commande stopped with:", err)
		}
	}
	bench.base = "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(bench.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("commande not ready on %s", addr)
}

func adminExec(ctx context.Context, dbURL, sql string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func repoRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "."
		}
		dir = parent
	}
}

// benchRapport calls path b.N times and reports the median and 95th
// percentile of the calls, in milliseconds, beside the mean (ns/op).
func benchRapport(b *testing.B, path string) {
	base := benchService(b)
	client := &http.Client{Timeout: 10 * time.Second}
	durees := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		// The reports are the head office's: the request carries kittest's Staff token.
		req, err := kittest.NewRequest(context.Background(), "GET", base+path, nil)
		if err != nil {
			b.Fatal(err)
		}
		begin := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		durees = append(durees, time.Since(begin))
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
	}
	b.StopTimer()
	sort.Slice(durees, func(i, j int) bool { return durees[i] < durees[j] })
	pct := func(p float64) float64 {
		return float64(durees[int(p*float64(len(durees)-1)+0.5)]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(float64(bench.ventes), "ventes")
}

func BenchmarkRapports_VentesParMagasin(b *testing.B) {
	benchRapport(b, "/rapports/ventes-par-magasin")
}

func BenchmarkRapports_VentesParMagasin90Jours(b *testing.B) {
	depuis := time.Now().AddDate(0, 0, -91).UTC().Format(time.RFC3339)
	benchRapport(b, "/rapports/ventes-par-magasin?depuis="+depuis)
}

func BenchmarkRapports_TopProduits(b *testing.B) {
	benchRapport(b, "/rapports/top-produits?par=chiffre_affaires")
}

func BenchmarkRapports_ChiffreAffairesParJour(b *testing.B) {
	benchRapport(b, "/rapports/chiffre-affaires-par-jour")
}

func BenchmarkRapports_ChiffreAffairesParJourMagasin(b *testing.B) {
	benchRapport(b, "/rapports/chiffre-affaires-par-jour?magasin_id=3")
}

func BenchmarkRapports_PerformanceMagasins(b *testing.B) {
	benchRapport(b, "/rapports/performance-magasins")
}
