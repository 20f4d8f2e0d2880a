package fleet

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A plain name keeps the database easy to type in psql and safe in DDL.
var validDBName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// prepareDatabase creates the database when missing and runs schemas.sql in
// it (safe to repeat). It returns the superuser URL of that database.
func prepareDatabase(ctx context.Context, adminURL, name, schemasFile string) (string, error) {
	if !validDBName.MatchString(name) {
		return "", fmt.Errorf("database name %q: use lower-case letters, digits and _", name)
	}
	schemas, err := os.ReadFile(schemasFile)
	if err != nil {
		return "", err
	}
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect to PostgreSQL (set DATABASE_URL to a superuser URL): %w", err)
	}
	defer admin.Close(ctx)
	var found bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&found); err != nil {
		return "", err
	}
	if !found {
		_, err := admin.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize())
		var pg *pgconn.PgError
		if err != nil && (!errors.As(err, &pg) || pg.Code != "42P04") { // 42P04: created meanwhile by another launcher
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
	}

	dbURL, err := withDatabase(adminURL, name)
	if err != nil {
		return "", err
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, string(schemas)); err != nil {
		return "", fmt.Errorf("%s: %w", schemasFile, err)
	}
	return dbURL, nil
}

func dropDatabase(ctx context.Context, adminURL, name string) error {
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	// FORCE ends sessions a killed service may have left behind.
	if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

func withDatabase(dbURL, name string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}
