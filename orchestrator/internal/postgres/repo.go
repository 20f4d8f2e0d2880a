// Package postgres stores sagas and their step log in the orchestrator schema.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
	"multimagasins/orchestrator/internal/engine"
	"multimagasins/orchestrator/internal/saga"
)

// Repo reads and writes sagas; it is the engine's Store.
type Repo struct{ pool *pgxpool.Pool }

// NewRepo returns a Repo over pool.
func NewRepo(pool *pgxpool.Pool) *Repo { return &Repo{pool: pool} }

var _ engine.Store = (*Repo)(nil)

// Create inserts a new saga in one statement: its row is the intent of its
// whole plan (see package engine). With a client key already used it
// inserts nothing and returns false.
func (r *Repo) Create(ctx context.Context, rec *engine.Record, owner uuid.UUID, lease time.Duration) (bool, error) {
	st := rec.State
	tag, err := r.pool.Exec(ctx, `INSERT INTO sagas (id, type, statut, phase, pas, incertain, etape, motif, code_motif,
		http_status, cle_idempotence, empreinte, requete, donnees, commande_id, total, etats, n_etapes,
		lease_owner, lease_until, cree_le, etape_atteinte)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 0, $18,
		        now() + $19::interval, $20, $21)
		ON CONFLICT (cle_idempotence) DO NOTHING`,
		rec.ID, rec.Type, st.Statut, st.Phase, st.Pas, st.Incertain, rec.Etape, st.Motif, st.Code, st.HTTP,
		rec.Cle, rec.Empreinte, string(rec.Requete), rec.Donnees, rec.CommandeID, int64(rec.Donnees.Total),
		etatsJSON(rec.Etats), owner, lease, rec.CreeLe, rec.EtapeAtteinte)
	if err != nil {
		return false, fmt.Errorf("insert saga: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Save writes rec's state and history and appends its new step-log rows, in
// one statement (so one implicit transaction), when w.Owner still holds the
// lease; otherwise it writes nothing and returns engine.ErrLeaseLost. A
// release lets go of the lease (no owner) and dates the end of the wait, so
// Claim takes the saga only then; a saga that ends is never à vérifier.
func (r *Repo) Save(ctx context.Context, rec *engine.Record, w engine.Write) error {
	j := rec.Journal
	n := make([]int32, len(j))
	etape := make([]string, len(j))
	sens := make([]string, len(j))
	statut := make([]string, len(j))
	tentatives := make([]int32, len(j))
	status := make([]*int32, len(j))
	reponse := make([]*string, len(j))
	envoyee := make([]time.Time, len(j))
	recue := make([]*time.Time, len(j))
	for i, a := range j {
		n[i], etape[i], sens[i], statut[i], tentatives[i] = int32(a.N), a.Etape, a.Sens, a.Statut, int32(a.Tentatives)
		if a.HTTPStatus != nil {
			s := int32(*a.HTTPStatus)
			status[i] = &s
		}
		if len(a.Reponse) > 0 {
			s := string(a.Reponse)
			reponse[i] = &s
		}
		envoyee[i], recue[i] = a.EnvoyeeLe, a.RecueLe
	}
	st := rec.State
	var saved int
	err := r.pool.QueryRow(ctx, `WITH u AS (
		    UPDATE sagas SET statut = $3, phase = $4, pas = $5, incertain = $6, etape = $7,
		        motif = $8, code_motif = $9, http_status = $10, donnees = $11, total = $12, etats = $13,
		        n_etapes = $14, modifie_le = now(),
		        termine_le = CASE WHEN $4 = 'terminee' THEN now() END,
		        lease_owner = CASE WHEN $4 = 'terminee' OR $15 THEN NULL ELSE lease_owner END,
		        lease_until = CASE WHEN $4 = 'terminee' THEN NULL WHEN $15 THEN now() + $26::interval
		                           ELSE now() + $16::interval END,
		        etape_atteinte = $27, reprises = $28, derniere_erreur = $29,
		        a_verifier_depuis = CASE WHEN $4 = 'terminee' THEN NULL ELSE $30::timestamptz END
		    WHERE id = $1 AND lease_owner = $2 RETURNING id
		), l AS (
		    INSERT INTO saga_etapes (saga_id, n, etape, sens, statut, tentatives, http_status, reponse, envoyee_le, recue_le)
		    SELECT u.id, t.n, t.etape, t.sens, t.statut, t.tentatives, t.http_status, t.reponse::json, t.envoyee_le, t.recue_le
		    FROM u, unnest($17::int[], $18::text[], $19::text[], $20::text[], $21::int[], $22::int[], $23::text[],
		                   $24::timestamptz[], $25::timestamptz[])
		         AS t(n, etape, sens, statut, tentatives, http_status, reponse, envoyee_le, recue_le)
		)
		SELECT count(*) FROM u`,
		rec.ID, w.Owner, st.Statut, st.Phase, st.Pas, st.Incertain, rec.Etape, st.Motif, st.Code, st.HTTP,
		rec.Donnees, int64(rec.Donnees.Total), etatsJSON(rec.Etats), rec.N+len(j), w.Release, w.Lease,
		n, etape, sens, statut, tentatives, status, reponse, envoyee, recue,
		w.Retard, rec.EtapeAtteinte, rec.Reprises, rec.DerniereErreur, rec.AVerifierDepuis).Scan(&saved)
	if err != nil {
		return fmt.Errorf("save saga: %w", err)
	}
	if saved == 0 {
		return engine.ErrLeaseLost
	}
	rec.N += len(j)
	rec.Journal = nil
	return nil
}

// Claim takes up to limit unfinished sagas whose lease expired, for owner.
// SKIP LOCKED lets several orchestrators recover side by side without
// waiting on each other or taking the same saga twice.
func (r *Repo) Claim(ctx context.Context, owner uuid.UUID, lease time.Duration, limit int) ([]*engine.Record, error) {
	rows, err := r.pool.Query(ctx, `UPDATE sagas SET lease_owner = $1, lease_until = now() + $2::interval
		WHERE id IN (SELECT id FROM sagas WHERE phase <> 'terminee' AND lease_until < now()
		             ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING `+recordColumns, owner, lease, limit)
	if err != nil {
		return nil, fmt.Errorf("claim sagas: %w", err)
	}
	return pgx.CollectRows(rows, scanRecord)
}

// ByKey returns the saga started under a client's Idempotency-Key.
func (r *Repo) ByKey(ctx context.Context, cle string) (*engine.Record, error) {
	rows, err := r.pool.Query(ctx, `SELECT `+recordColumns+` FROM sagas WHERE cle_idempotence = $1`, cle)
	if err != nil {
		return nil, err
	}
	rec, err := pgx.CollectExactlyOneRow(rows, scanRecord)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, saga.ErrNotFound
	}
	return rec, err
}

// Record returns one saga as the engine sees it.
func (r *Repo) Record(ctx context.Context, id uuid.UUID) (*engine.Record, error) {
	rows, err := r.pool.Query(ctx, `SELECT `+recordColumns+` FROM sagas WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	rec, err := pgx.CollectExactlyOneRow(rows, scanRecord)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, saga.ErrNotFound
	}
	return rec, err
}

// recordColumns: pilotee says a driver holds the lease now (a saga waiting
// for recovery has none); lease_until is then when recovery may take it.
const recordColumns = `id, type, commande_id, statut, phase, pas, incertain, etape, motif, code_motif, http_status,
	donnees, etats, n_etapes, cle_idempotence, empreinte, requete, cree_le, etape_atteinte, reprises,
	a_verifier_depuis, derniere_erreur, coalesce(lease_owner IS NOT NULL AND lease_until > now(), false), lease_until`

func scanRecord(row pgx.CollectableRow) (*engine.Record, error) {
	var rec engine.Record
	var until *time.Time
	st := &rec.State
	err := row.Scan(&rec.ID, &rec.Type, &rec.CommandeID, &st.Statut, &st.Phase, &st.Pas, &st.Incertain, &rec.Etape,
		&st.Motif, &st.Code, &st.HTTP, &rec.Donnees, &rec.Etats, &rec.N, &rec.Cle, &rec.Empreinte, &rec.Requete, &rec.CreeLe,
		&rec.EtapeAtteinte, &rec.Reprises, &rec.AVerifierDepuis, &rec.DerniereErreur, &rec.Pilotee, &until)
	if until != nil {
		rec.ProchaineReprise = *until
	}
	return &rec, err
}

// AVerifier counts the sagas à vérifier by type (the metric saga_a_verifier).
func (r *Repo) AVerifier(ctx context.Context) (map[string]int, error) {
	rows, err := r.pool.Query(ctx, `SELECT type, count(*) FROM sagas WHERE a_verifier_depuis IS NOT NULL GROUP BY type`)
	if err != nil {
		return nil, fmt.Errorf("count sagas à vérifier: %w", err)
	}
	out := map[string]int{}
	var typ string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&typ, &n}, func() error {
		out[typ] = n
		return nil
	})
	return out, err
}

// etatsJSON stores the history with the instants the engine saw, so the answer
// it built in memory and the stored saga agree.
func etatsJSON(etats []saga.Etat) []byte {
	if etats == nil {
		etats = []saga.Etat{}
	}
	b, _ := json.Marshal(etats)
	return b
}

const columns = `id, type, commande_id, statut, motif, total, etats, phase, http_status, etape, etape_atteinte,
	cle_idempotence, cree_le, modifie_le, reprises, a_verifier_depuis, derniere_erreur, lease_until`

// scan reads a saga as the API shows it: what it answers now (its final
// status, or 202 while it is not over) and, while it is not over, the step
// it waits on and when recovery may take it.
func scan(row pgx.Row, extra ...any) (saga.Saga, error) {
	var s saga.Saga
	var total int64
	var etape string
	dest := append([]any{&s.SagaID, &s.Type, &s.CommandeID, &s.Statut, &s.Motif, &total, &s.Etapes, &s.Phase,
		&s.ReponseHTTP, &etape, &s.EtapeAtteinte, &s.CleIdempotence, &s.CreeLe, &s.ModifieLe, &s.Reprises,
		&s.AVerifierDepuis, &s.DerniereErreur, &s.ProchaineReprise}, extra...)
	err := row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, saga.ErrNotFound
	}
	s.Total = kit.Cents(total)
	s.Termine = s.Phase == saga.Terminee
	s.AVerifier = s.AVerifierDepuis != nil
	if !s.Termine {
		s.ReponseHTTP = http.StatusAccepted
		s.EtapeEnAttente = &etape
	}
	if s.Etapes == nil {
		s.Etapes = []saga.Etat{}
	}
	return s, err
}

// Get returns one saga with its request and its step log, oldest call first.
func (r *Repo) Get(ctx context.Context, id uuid.UUID) (saga.Saga, error) {
	var requete []byte
	var donnees saga.Donnees // whose the saga is, for the caller's check
	s, err := scan(r.pool.QueryRow(ctx, `SELECT `+columns+`, requete, donnees FROM sagas WHERE id = $1`, id), &requete, &donnees)
	if err != nil {
		return s, err
	}
	s.Requete, s.Donnees = requete, donnees
	rows, err := r.pool.Query(ctx, `SELECT n, etape, sens, statut, tentatives, http_status, reponse, envoyee_le, recue_le
		FROM saga_etapes WHERE saga_id = $1 ORDER BY n`, id)
	if err != nil {
		return s, fmt.Errorf("saga %s steps: %w", id, err)
	}
	s.Journal, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (saga.Appel, error) {
		var a saga.Appel
		var reponse []byte
		err := row.Scan(&a.N, &a.Etape, &a.Sens, &a.Statut, &a.Tentatives, &a.HTTPStatus, &reponse, &a.EnvoyeeLe, &a.RecueLe)
		a.Reponse = reponse
		return a, err
	})
	if s.Journal == nil {
		s.Journal = []saga.Appel{}
	}
	return s, err
}

// List returns a page of sagas, newest first.
func (r *Repo) List(ctx context.Context, f saga.Filtre, limit, offset int) ([]saga.Saga, int64, error) {
	const where = ` WHERE ($1 = '' OR statut = $1) AND ($2 = '' OR type = $2) AND (NOT $3 OR a_verifier_depuis IS NOT NULL)`
	var total int64
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM sagas`+where, string(f.Statut), f.Type, f.AVerifier).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count sagas: %w", err)
	}
	rows, err := r.pool.Query(ctx,
		`SELECT `+columns+` FROM sagas`+where+` ORDER BY cree_le DESC, id LIMIT $4 OFFSET $5`,
		string(f.Statut), f.Type, f.AVerifier, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list sagas: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (saga.Saga, error) { return scan(row) })
	return list, total, err
}
