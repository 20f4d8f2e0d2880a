// Package postgres stores accounts, refresh tokens and failed sign-ins in the
// identite schema.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/identite/internal/identite"
	"multimagasins/kit"
)

// Repo reads and writes the identite schema.
type Repo struct {
	pool   *pgxpool.Pool
	purged atomic.Int64 // unix nanoseconds of the last purge
}

// NewRepo returns a Repo over pool.
func NewRepo(pool *pgxpool.Pool) *Repo { return &Repo{pool: pool} }

// --- Staff ---

// Personnel returns the active staff account login (lower case).
func (r *Repo) Personnel(ctx context.Context, login string) (identite.Personnel, error) {
	var p identite.Personnel
	var roles []string
	var magasin *int64
	err := r.pool.QueryRow(ctx,
		`SELECT login, nom, roles, magasin_id, mot_de_passe, actif FROM personnel WHERE login = $1 AND actif`, login).
		Scan(&p.Login, &p.Nom, &roles, &magasin, &p.MotDePasse, &p.Actif)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, identite.ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("read staff %s: %w", login, err)
	}
	for _, role := range roles {
		p.Roles = append(p.Roles, kit.Role(role))
	}
	if magasin != nil {
		p.MagasinID = *magasin
	}
	return p, nil
}

// UpsertPersonnel writes a staff account, active, replacing its name, roles,
// store and password if it exists.
func (r *Repo) UpsertPersonnel(ctx context.Context, p identite.Personnel) error {
	roles := make([]string, len(p.Roles))
	for i, role := range p.Roles {
		roles[i] = string(role)
	}
	var magasin *int64
	if p.MagasinID != 0 {
		magasin = &p.MagasinID
	}
	_, err := r.pool.Exec(ctx,
		`INSERT INTO personnel (login, nom, roles, magasin_id, mot_de_passe) VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (login) DO UPDATE SET nom = EXCLUDED.nom, roles = EXCLUDED.roles,
		     magasin_id = EXCLUDED.magasin_id, mot_de_passe = EXCLUDED.mot_de_passe, actif = true, modifie_le = now()`,
		p.Login, p.Nom, roles, magasin, p.MotDePasse)
	if err != nil {
		return fmt.Errorf("upsert staff %s: %w", p.Login, err)
	}
	return nil
}

// --- Customers ---

const compteColumns = `inscription, email, nom, telephone, adresse, mot_de_passe, coalesce(client_id, 0)`

func scanCompte(row pgx.Row) (identite.CompteClient, error) {
	var c identite.CompteClient
	err := row.Scan(&c.Inscription, &c.Email, &c.Nom, &c.Telephone, &c.Adresse, &c.MotDePasse, &c.ClientID)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, identite.ErrNotFound
	}
	return c, err
}

// CompteClient returns the customer account of email, whatever its case.
func (r *Repo) CompteClient(ctx context.Context, email string) (identite.CompteClient, error) {
	c, err := scanCompte(r.pool.QueryRow(ctx,
		`SELECT `+compteColumns+` FROM comptes_clients WHERE lower(email) = lower($1)`, email))
	if err != nil && !errors.Is(err, identite.ErrNotFound) {
		return c, fmt.Errorf("read customer account: %w", err)
	}
	return c, err
}

// CompteClientParID returns the finished customer account of clientID.
func (r *Repo) CompteClientParID(ctx context.Context, clientID int64) (identite.CompteClient, error) {
	c, err := scanCompte(r.pool.QueryRow(ctx,
		`SELECT `+compteColumns+` FROM comptes_clients WHERE client_id = $1`, clientID))
	if err != nil && !errors.Is(err, identite.ErrNotFound) {
		return c, fmt.Errorf("read customer account %d: %w", clientID, err)
	}
	return c, err
}

// DebuterInscription writes c as a pending sign-up. When the email already
// has an account (any case), it returns that one and created false.
func (r *Repo) DebuterInscription(ctx context.Context, c identite.CompteClient) (identite.CompteClient, bool, error) {
	for range 3 { // the existing row may be abandoned between the two statements
		tag, err := r.pool.Exec(ctx,
			`INSERT INTO comptes_clients (inscription, email, nom, telephone, adresse, mot_de_passe)
			 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
			c.Inscription, c.Email, c.Nom, c.Telephone, c.Adresse, c.MotDePasse)
		if err != nil {
			return c, false, fmt.Errorf("begin sign-up: %w", err)
		}
		if tag.RowsAffected() == 1 {
			return c, true, nil
		}
		existing, err := r.CompteClient(ctx, c.Email)
		if errors.Is(err, identite.ErrNotFound) {
			continue
		}
		return existing, false, err
	}
	return c, false, errors.New("begin sign-up: the email's account keeps changing")
}

// TerminerInscription ties the pending sign-up to the account made at the
// clients service. Doing it twice with the same id is harmless.
func (r *Repo) TerminerInscription(ctx context.Context, inscription uuid.UUID, clientID int64) (identite.CompteClient, error) {
	c, err := scanCompte(r.pool.QueryRow(ctx,
		`UPDATE comptes_clients SET client_id = $2, modifie_le = now()
		 WHERE inscription = $1 AND (client_id IS NULL OR client_id = $2)
		 RETURNING `+compteColumns, inscription, clientID))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // another account already holds that client
		return c, identite.ErrEmailTaken
	}
	if err != nil && !errors.Is(err, identite.ErrNotFound) {
		return c, fmt.Errorf("finish sign-up: %w", err)
	}
	return c, err
}

// AbandonnerInscription deletes a sign-up that the clients service refused.
func (r *Repo) AbandonnerInscription(ctx context.Context, inscription uuid.UUID) error {
	if _, err := r.pool.Exec(ctx,
		`DELETE FROM comptes_clients WHERE inscription = $1 AND client_id IS NULL`, inscription); err != nil {
		return fmt.Errorf("drop sign-up: %w", err)
	}
	return nil
}

// --- Refresh tokens ---

// OuvrirFamille starts a sign-in's family of refresh tokens with its first
// token, known only by its SHA-256.
func (r *Repo) OuvrirFamille(ctx context.Context, sujet string, empreinte []byte, vie time.Duration) error {
	_, err := r.pool.Exec(ctx,
		`WITH f AS (
		     INSERT INTO familles (id, sujet, expire_le) VALUES ($1, $2, now() + $3::interval)
		     RETURNING id)
		 INSERT INTO jetons (empreinte, famille) SELECT $4, id FROM f`,
		uuid.New(), sujet, vie, empreinte)
	if err != nil {
		return fmt.Errorf("open refresh family: %w", err)
	}
	return nil
}

// Tourner exchanges a refresh token for the next one of its family and
// returns the family's subject. The token must be unused, its family alive:
// a token used before revokes its whole family (ErrJetonReutilise), since
// either its holder or a thief has the newer one. Except within grace of its
// first use: the web app runs twice behind nginx, and two requests of one
// browser near a token's expiry may both refresh it; the second then gets a
// token of the same family too, instead of signing the person out.
func (r *Repo) Tourner(ctx context.Context, ancienne, nouvelle []byte, grace time.Duration) (string, error) {
	var sujet string
	err := r.pool.QueryRow(ctx,
		`WITH courant AS (
		     UPDATE jetons j SET utilise_le = COALESCE(j.utilise_le, now())
		     FROM familles f
		     WHERE j.empreinte = $1 AND (j.utilise_le IS NULL OR j.utilise_le > now() - $3::interval)
		       AND f.id = j.famille AND f.revoquee_le IS NULL AND f.expire_le > now()
		     RETURNING j.famille, f.sujet),
		 suivant AS (
		     INSERT INTO jetons (empreinte, famille) SELECT $2, famille FROM courant)
		 SELECT sujet FROM courant`, ancienne, nouvelle, grace).Scan(&sujet)
	if err == nil {
		return sujet, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("rotate refresh token: %w", err)
	}
	tag, err := r.pool.Exec(ctx,
		`UPDATE familles f SET revoquee_le = now() FROM jetons j
		 WHERE j.empreinte = $1 AND j.utilise_le IS NOT NULL AND f.id = j.famille AND f.revoquee_le IS NULL`, ancienne)
	if err != nil {
		return "", fmt.Errorf("revoke reused refresh family: %w", err)
	}
	if tag.RowsAffected() > 0 {
		return "", identite.ErrJetonReutilise
	}
	return "", identite.ErrJetonInvalide
}

// RevoquerFamille revokes the family of a refresh token (sign-out); an
// unknown token is no error.
func (r *Repo) RevoquerFamille(ctx context.Context, empreinte []byte) error {
	_, err := r.pool.Exec(ctx,
		`UPDATE familles SET revoquee_le = now()
		 WHERE id = (SELECT famille FROM jetons WHERE empreinte = $1) AND revoquee_le IS NULL`, empreinte)
	if err != nil {
		return fmt.Errorf("revoke refresh family: %w", err)
	}
	return nil
}

// --- Throttling ---

// Blocage returns how long the longest lock among cles still runs; 0 when
// none is locked.
func (r *Repo) Blocage(ctx context.Context, cles []string) (time.Duration, error) {
	var ms int64
	err := r.pool.QueryRow(ctx,
		`SELECT coalesce(ceil(extract(epoch FROM max(bloque_jusqua) - now()) * 1000), 0)::bigint
		 FROM echecs WHERE cle = ANY ($1) AND bloque_jusqua > now()`, cles).Scan(&ms)
	if err != nil {
		return 0, fmt.Errorf("read sign-in locks: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// A counter starts again once its window has passed or its lock has ended.
const fresh = `(e.debut <= now() - $2::interval OR e.bloque_jusqua <= now())`

// Echec counts one failed sign-in on cle, in one statement, and locks it for
// lock once limit failures fall within window.
func (r *Repo) Echec(ctx context.Context, cle string, window time.Duration, limit int, lock time.Duration) error {
	_, err := r.pool.Exec(ctx,
		`INSERT INTO echecs AS e (cle, echecs, debut, bloque_jusqua)
		 VALUES ($1, 1, now(), CASE WHEN $3::integer <= 1 THEN now() + $4::interval END)
		 ON CONFLICT (cle) DO UPDATE SET
		     echecs = CASE WHEN `+fresh+` THEN 1 ELSE e.echecs + 1 END,
		     debut  = CASE WHEN `+fresh+` THEN now() ELSE e.debut END,
		     bloque_jusqua = CASE
		         WHEN (CASE WHEN `+fresh+` THEN 1 ELSE e.echecs + 1 END) >= $3 THEN now() + $4::interval
		         WHEN `+fresh+` THEN NULL
		         ELSE e.bloque_jusqua END`,
		cle, window, limit, lock)
	if err != nil {
		return fmt.Errorf("count failed sign-in: %w", err)
	}
	return nil
}

// Reussite clears an account's failures after it signed in.
func (r *Repo) Reussite(ctx context.Context, cle string) error {
	if _, err := r.pool.Exec(ctx, `DELETE FROM echecs WHERE cle = $1`, cle); err != nil {
		return fmt.Errorf("clear failed sign-ins: %w", err)
	}
	return nil
}

// Purger deletes counters whose window and lock are over and refresh
// families a day past their end, at most once a minute: callers on the
// sign-in path call it every time, and all but one a minute return at once.
func (r *Repo) Purger(ctx context.Context, window time.Duration) error {
	last := r.purged.Load()
	now := time.Now().UnixNano()
	if now-last < int64(time.Minute) || !r.purged.CompareAndSwap(last, now) {
		return nil
	}
	var errs []string
	if _, err := r.pool.Exec(ctx,
		`DELETE FROM echecs WHERE debut < now() - $1::interval
		   AND (bloque_jusqua IS NULL OR bloque_jusqua < now())`, window); err != nil {
		errs = append(errs, err.Error())
	}
	if _, err := r.pool.Exec(ctx, `DELETE FROM familles WHERE expire_le < now() - interval '1 day'`); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return fmt.Errorf("purge: %s", strings.Join(errs, "; "))
	}
	return nil
}
