// Package kittest gives each test its own PostgreSQL database, built from the
// same schema-and-role SQL that Docker and the native launcher use.
package kittest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver pgtestdb connects with
	"github.com/peterldowns/pgtestdb"

	"multimagasins/kit"
)

// AdminURL is the superuser connection used to create test databases,
// from TEST_DATABASE_URL or the local server.
func AdminURL() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RepoRoot walks up from the working directory to the folder holding go.work.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.work not found above the working directory")
		}
		dir = parent
	}
}

// SchemasSQL is the SQL that creates every service schema and role.
func SchemasSQL(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(t), "deploy", "postgres", "schemas.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// DB returns a connection URL, as the service's own role, to a fresh database
// holding every schema and role and the service's migrations applied.
// Pass nil migrations for a database with only the empty schemas.
func DB(t testing.TB, service string, migrations fs.FS) string {
	t.Helper()
	admin, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	pw, _ := admin.User.Password()
	conf := pgtestdb.Config{
		DriverName: "pgx",
		Host:       admin.Hostname(),
		Port:       admin.Port(),
		User:       admin.User.Username(),
		Password:   pw,
		Database:   admin.Path[1:],
		Options:    "sslmode=disable",
		// The template is built as the admin so it can create the service roles.
		TestRole:                  &pgtestdb.Role{Username: admin.User.Username(), Password: pw},
		ForceTerminateConnections: true,
	}
	m := &migrator{schemas: SchemasSQL(t), service: service, migrations: migrations}
	inst := pgtestdb.Custom(t, conf, m)
	return RoleURL(inst.URL(), service)
}

// RoleURL swaps the user of dbURL for role; local test servers trust loopback.
func RoleURL(dbURL, role string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		panic(err)
	}
	u.User = url.User(role)
	return u.String()
}

type migrator struct {
	schemas    string
	service    string
	migrations fs.FS
}

func (m *migrator) Hash() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", m.schemas, m.service)
	if m.migrations != nil {
		err := fs.WalkDir(m.migrations, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(m.migrations, path)
			fmt.Fprintf(h, "%s\x00%s\x00", path, b)
			return err
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func (m *migrator) Migrate(ctx context.Context, db *sql.DB, conf pgtestdb.Config) error {
	if _, err := db.ExecContext(ctx, m.schemas); err != nil {
		return fmt.Errorf("schemas.sql: %w", err)
	}
	if m.migrations == nil {
		return nil
	}
	cfg := kit.Config{Service: m.service, DatabaseURL: RoleURL(conf.URL(), m.service), DBMaxConns: 2}
	pool, err := kit.OpenDB(ctx, cfg, m.service, m.migrations, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	pool.Close()
	return nil
}
