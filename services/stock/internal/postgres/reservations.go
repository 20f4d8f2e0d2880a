package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"multimagasins/stock/internal/stock"
)

// checkProduits makes sure every line names an existing, active product.
// Errors name the line as the caller sent it.
func checkProduits(ctx context.Context, tx pgx.Tx, lignes []stock.Ligne) error {
	return checkCatalogue(ctx, tx, lignes, true)
}

// checkCatalogue makes sure every line names an existing product and, when
// actifRequis, one still sold: goods sold before a product was withdrawn may
// still come back.
func checkCatalogue(ctx context.Context, tx pgx.Tx, lignes []stock.Ligne, actifRequis bool) error {
	ids := make([]int64, len(lignes))
	for i, l := range lignes {
		ids[i] = l.ProduitID
	}
	rows, err := tx.Query(ctx, `SELECT id, actif FROM produits WHERE id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("check produits: %w", err)
	}
	actif := make(map[int64]bool, len(ids))
	var id int64
	var a bool
	if _, err := pgx.ForEachRow(rows, []any{&id, &a}, func() error { actif[id] = a; return nil }); err != nil {
		return fmt.Errorf("check produits: %w", err)
	}
	for i, l := range lignes {
		a, ok := actif[l.ProduitID]
		field := fmt.Sprintf("body.lignes[%d].produit_id", i)
		if !ok {
			return &stock.NotFoundErr{Field: field, Msg: fmt.Sprintf("product %d not found", l.ProduitID), Value: l.ProduitID}
		}
		if !a && actifRequis {
			return &stock.FieldErr{Field: field, Msg: fmt.Sprintf("product %d is not sold any more", l.ProduitID), Value: l.ProduitID}
		}
	}
	return nil
}

func checkEmplacement(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := getEmplacement(ctx, tx, id)
	if errors.Is(err, stock.ErrEmplacementNotFound) {
		return &stock.NotFoundErr{Field: "body.emplacement_id", Msg: fmt.Sprintf("location %d not found", id), Value: id}
	}
	return err
}

// Disponibilites reads what is available for each line; it changes nothing.
func (r *Repo) Disponibilites(ctx context.Context, d stock.Demande) (stock.Verification, error) {
	var v stock.Verification
	err := pgx.BeginTxFunc(ctx, r.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := checkEmplacement(ctx, tx, d.Location()); err != nil {
			return err
		}
		if err := checkProduits(ctx, tx, d.Lignes); err != nil {
			return err
		}
		ids := make([]int64, len(d.Lignes))
		for i, l := range d.Lignes {
			ids[i] = l.ProduitID
		}
		rows, err := tx.Query(ctx,
			`SELECT produit_id, quantite - reserve FROM niveaux WHERE emplacement_id = $1 AND produit_id = ANY($2)`,
			d.Location(), ids)
		if err != nil {
			return fmt.Errorf("disponibilites: %w", err)
		}
		dispo := make(map[int64]int64, len(ids))
		var id, n int64
		if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { dispo[id] = n; return nil }); err != nil {
			return fmt.Errorf("disponibilites: %w", err)
		}
		v = stock.Verifier(d.Lignes, dispo)
		return nil
	})
	return v, err
}

// Reserve sets aside every line or none, in one statement: the key with its
// answer, the lines, the ledger rows and the stock rows, so the busiest rows
// of the database stay locked only for that statement and its commit, never
// across a round trip. Whatever stops a line (an unknown or withdrawn
// product, a shortage) aborts the statement (refuser, see 0004_refuser.sql)
// and diagnose names it. created is false when the key was already used for
// the same request and the stored answer is returned.
func (r *Repo) Reserve(ctx context.Context, n stock.NouvelleReservation) (res stock.Reservation, created bool, err error) {
	d := n.Demande()
	empreinte := n.Empreinte()
	emp := d.Location()
	ordered := d.LockOrder()
	lignes := make([]stock.Ligne, len(ordered))
	ids := make([]int64, len(ordered))
	qs := make([]int64, len(ordered))
	for i, l := range ordered {
		lignes[i], ids[i], qs[i] = l.Ligne, l.ProduitID, l.Quantite
	}
	res = stock.Reservation{Cle: n.Cle, EmplacementID: &emp, Statut: stock.StatutActive, Reference: n.Reference,
		Lignes: lignes, CreeLe: time.Now().UTC().Truncate(time.Microsecond)}
	body, err := json.Marshal(res)
	if err != nil {
		return res, false, err
	}
	var claimed int64
	// Lines come by product id, the one order every transaction locks stock
	// rows in, so two reservations never wait on each other in a cycle.
	err = r.pool.QueryRow(ctx, `WITH r AS (
		    INSERT INTO reservations (cle, emplacement_id, reference, statut, empreinte, reponse, cree_le)
		    VALUES ($1, $2, $3, 'active', $4, $5, $6) ON CONFLICT (cle) DO NOTHING RETURNING cle
		), l AS (
		    SELECT t.p, t.q FROM r, unnest($7::bigint[], $8::bigint[]) WITH ORDINALITY AS t(p, q, n) ORDER BY t.n
		), u AS (
		    UPDATE niveaux n SET reserve = n.reserve + l.q
		    FROM l JOIN produits p ON p.id = l.p AND p.actif
		    WHERE n.emplacement_id = $2 AND n.produit_id = l.p AND n.quantite - n.reserve >= l.q
		    RETURNING n.produit_id
		), rl AS (
		    INSERT INTO reservation_lignes (cle, produit_id, quantite) SELECT $1, p, q FROM l RETURNING 1
		), m AS (
		    INSERT INTO mouvements (emplacement_id, produit_id, type, quantite, reference, acteur, motif)
		    SELECT $2, p, $9, q, $10, $11, $12 FROM l RETURNING 1
		)
		-- CASE runs in order: the inserts first, the stock rows last, so
		-- they stay locked the least.
		SELECT CASE WHEN (SELECT count(*) FROM rl) + (SELECT count(*) FROM m) >= 0 THEN
		           CASE WHEN (SELECT count(*) FROM u) = (SELECT count(*) FROM l) THEN (SELECT count(*) FROM r)
		                ELSE refuser('reservation incomplete') END
		       END`,
		n.Cle, emp, n.Reference, empreinte, body, res.CreeLe, ids, qs,
		stock.MvtReservation, ledgerRef(n.Cle, n.Reference), stock.ActeurSaga, "réservation").Scan(&claimed)
	switch {
	case err != nil:
		var pg *pgconn.PgError
		if errors.As(err, &pg) && pg.Code == "40P01" {
			return res, false, fmt.Errorf("reserve %s: %w", n.Cle, err) // a deadlock: nothing was done, a retry may work
		}
		return res, false, r.diagnose(ctx, emp, ordered, err)
	case claimed == 0:
		// The key was there: the first answer, a different request, or a release that came first.
		err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) (err error) {
			res, err = replay(ctx, tx, n.Cle, empreinte)
			return err
		})
		return res, false, err
	}
	return res, true, nil
}

// diagnose says why a reservation could not take every line: an unknown
// location or product, a withdrawn product, or the lines short. cause is
// what the attempt failed with, kept when none of these explains it.
func (r *Repo) diagnose(ctx context.Context, emp int64, ordered []stock.Indexed, cause error) error {
	lignes := make([]stock.Ligne, len(ordered))
	ids := make([]int64, len(ordered))
	for i, l := range ordered {
		lignes[i], ids[i] = l.Ligne, l.ProduitID
	}
	return pgx.BeginTxFunc(ctx, r.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := checkEmplacement(ctx, tx, emp); err != nil {
			return err
		}
		if err := checkProduits(ctx, tx, stock.Demande{Lignes: byIndex(ordered)}.Lignes); err != nil {
			return err
		}
		rows, err := tx.Query(ctx,
			`SELECT produit_id, quantite - reserve FROM niveaux WHERE emplacement_id = $1 AND produit_id = ANY($2)`, emp, ids)
		if err != nil {
			return fmt.Errorf("read stock: %w", err)
		}
		dispo := make(map[int64]int64, len(ids))
		var id, q int64
		if _, err := pgx.ForEachRow(rows, []any{&id, &q}, func() error { dispo[id] = q; return nil }); err != nil {
			return fmt.Errorf("read stock: %w", err)
		}
		short := &stock.InsufficientError{}
		for _, l := range ordered {
			if dispo[l.ProduitID] < l.Quantite {
				short.Lignes = append(short.Lignes, stock.Manque{Index: l.Index, ProduitID: l.ProduitID,
					Demande: l.Quantite, Disponible: max(dispo[l.ProduitID], 0)})
			}
		}
		if len(short.Lignes) == 0 {
			// Units came back between the attempt and this read, or the attempt
			// failed otherwise: nothing was reserved, and asking again may work.
			return fmt.Errorf("reservation at %d not applied, nothing was reserved: %w", emp, cause)
		}
		short.Sort()
		return short
	})
}

// byIndex puts lines back in the caller's order, so errors name them as sent.
func byIndex(ordered []stock.Indexed) []stock.Ligne {
	out := make([]stock.Ligne, len(ordered))
	for _, l := range ordered {
		out[l.Index] = l.Ligne
	}
	return out
}

// replay answers a repeat of a create under a key already seen.
func replay(ctx context.Context, tx pgx.Tx, cle, empreinte string) (stock.Reservation, error) {
	var res stock.Reservation
	var statut, stored string
	var body []byte
	err := tx.QueryRow(ctx, `SELECT statut, empreinte, reponse FROM reservations WHERE cle = $1 FOR UPDATE`, cle).
		Scan(&statut, &stored, &body)
	if err != nil {
		return res, fmt.Errorf("read reservation %s: %w", cle, err)
	}
	if statut == stock.StatutLiberee {
		return res, stock.ErrAlreadyReleased
	}
	if stored != empreinte {
		return res, stock.ErrKeyReused
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return res, fmt.Errorf("stored answer %s: %w", cle, err)
	}
	return res, nil
}

// moveStock runs update (with $1 location, $2 product, $3 quantity) for
// every line in one pipelined round trip, in the order given, and says which
// lines matched a row. Callers send it last in their transaction: between it
// and the commit the location's stock rows are locked, and every checkout of
// a popular product waits on those rows. head rides in the same batch before
// the updates (the rest of the transaction's writes), and tail, when not nil,
// after them, seeing their effect, at no extra round trip.
func moveStock(ctx context.Context, tx pgx.Tx, emplacementID int64, update string, lignes []stock.Ligne,
	head []pgx.QueuedQuery, tail *pgx.QueuedQuery) ([]bool, error) {
	batch := &pgx.Batch{}
	for _, q := range head {
		batch.Queue(q.SQL, q.Arguments...)
	}
	for _, l := range lignes {
		batch.Queue(update, emplacementID, l.ProduitID, l.Quantite)
	}
	if tail != nil {
		batch.Queue(tail.SQL, tail.Arguments...)
	}
	br := tx.SendBatch(ctx, batch)
	for range head {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, err
		}
	}
	moved := make([]bool, len(lignes))
	for i, l := range lignes {
		tag, err := br.Exec()
		if err != nil {
			_ = br.Close()
			return nil, fmt.Errorf("product %d: %w", l.ProduitID, err)
		}
		moved[i] = tag.RowsAffected() == 1
	}
	if tail != nil {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, err
		}
	}
	return moved, br.Close()
}

// replenish asks the centre for more of every product of lignes that a sale
// left below its threshold at a store: one automatique request per (store,
// product), none while one is pending (the partial unique index settles races).
// It reads the rows the sale's updates just wrote, so it goes in their batch.
func replenish(emplacementID int64, lignes []stock.Ligne) *pgx.QueuedQuery {
	ids := make([]int64, len(lignes))
	for i, l := range lignes {
		ids[i] = l.ProduitID
	}
	return &pgx.QueuedQuery{
		SQL: `INSERT INTO demandes (magasin_id, produit_id, quantite, origine, motif)
		 SELECT n.emplacement_id, n.produit_id, GREATEST(2 * ` + seuilSQL + ` - (n.quantite - n.reserve), 1), $3,
		        format('disponible %s sous le seuil %s après une vente', n.quantite - n.reserve, ` + seuilSQL + `)
		 FROM niveaux n
		 JOIN emplacements e ON e.id = n.emplacement_id AND e.type = 'magasin'
		 LEFT JOIN seuils s ON s.emplacement_id = n.emplacement_id AND s.produit_id = n.produit_id
		 WHERE n.emplacement_id = $1 AND n.produit_id = ANY($2) AND n.quantite - n.reserve < ` + seuilSQL + `
		 ORDER BY n.produit_id
		 ON CONFLICT (magasin_id, produit_id) WHERE statut = 'en_attente' DO NOTHING`,
		Arguments: []any{emplacementID, ids, stock.OrigineAutomatique},
	}
}

// ledgerRef is what ledger rows of a reservation point to: the caller's
// reference (the order) when it gave one, else the key.
func ledgerRef(cle, reference string) string {
	if reference != "" {
		return reference
	}
	return cle
}

// GetReservation returns a reservation and its lines.
func (r *Repo) GetReservation(ctx context.Context, cle string) (stock.Reservation, error) {
	var res stock.Reservation
	err := pgx.BeginTxFunc(ctx, r.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		res, err = load(ctx, tx, cle, false)
		return err
	})
	return res, err
}

func load(ctx context.Context, tx pgx.Tx, cle string, forUpdate bool) (stock.Reservation, error) {
	sql := `SELECT cle, emplacement_id, statut, reference, cree_le,
	               ARRAY(SELECT produit_id FROM reservation_lignes l WHERE l.cle = r.cle ORDER BY produit_id),
	               ARRAY(SELECT quantite FROM reservation_lignes l WHERE l.cle = r.cle ORDER BY produit_id)
	        FROM reservations r WHERE cle = $1`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	var res stock.Reservation
	var ids, qs []int64
	err := tx.QueryRow(ctx, sql, cle).Scan(&res.Cle, &res.EmplacementID, &res.Statut, &res.Reference, &res.CreeLe, &ids, &qs)
	if errors.Is(err, pgx.ErrNoRows) {
		return res, stock.ErrReservationNotFound
	}
	if err != nil {
		return res, fmt.Errorf("read reservation %s: %w", cle, err)
	}
	res.Lignes = make([]stock.Ligne, len(ids))
	for i := range ids {
		res.Lignes[i] = stock.Ligne{ProduitID: ids[i], Quantite: qs[i]}
	}
	return res, nil
}

// Release gives reserved units back. On a key never seen it leaves a
// tombstone, so a create that arrives late reserves nothing. acted tells
// whether stock moved.
func (r *Repo) Release(ctx context.Context, cle string) (res stock.Reservation, acted bool, err error) {
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		acted = false
		var creeLe time.Time
		err := tx.QueryRow(ctx,
			`INSERT INTO reservations (cle, statut) VALUES ($1, 'liberee') ON CONFLICT (cle) DO NOTHING RETURNING cree_le`,
			cle).Scan(&creeLe)
		if err == nil {
			res = stock.Reservation{Cle: cle, Statut: stock.StatutLiberee, Lignes: []stock.Ligne{}, CreeLe: creeLe}
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("tombstone %s: %w", cle, err)
		}
		res, acted, err = apply(ctx, tx, cle, stock.Liberer)
		return err
	})
	return res, acted, err
}

// Confirm commits a reservation: its units leave the location for good. An
// active reservation is confirmed in one statement (its state, the ledger,
// the stock rows and, at a store, the replenishment a sale may call for), so
// the stock rows stay locked only for that statement and its commit; any
// other state goes the way that explains it (a replay, or a refusal).
func (r *Repo) Confirm(ctx context.Context, cle string) (res stock.Reservation, acted bool, err error) {
	var ids, qs []int64
	err = r.pool.QueryRow(ctx, `WITH r AS (
		    UPDATE reservations SET statut = 'confirmee', modifie_le = now()
		    WHERE cle = $1 AND statut = 'active' RETURNING cle, emplacement_id, reference, cree_le
		), l AS (
		    SELECT r.emplacement_id, rl.produit_id, rl.quantite FROM r JOIN reservation_lignes rl ON rl.cle = r.cle
		    ORDER BY rl.produit_id
		), u AS (
		    UPDATE niveaux n SET quantite = n.quantite - l.quantite, reserve = n.reserve - l.quantite
		    FROM l WHERE n.emplacement_id = l.emplacement_id AND n.produit_id = l.produit_id
		    RETURNING n.emplacement_id, n.produit_id, n.quantite, n.reserve
		), m AS (
		    INSERT INTO mouvements (emplacement_id, produit_id, type, quantite, reference, acteur, motif)
		    SELECT l.emplacement_id, l.produit_id, $2, l.quantite, CASE WHEN r.reference <> '' THEN r.reference ELSE r.cle END, $3, $4
		    FROM l, r RETURNING 1
		), a AS (
		    -- A sale that leaves a store below its threshold asks the centre for
		    -- more, once per (store, product) while a request is pending. A
		    -- confirmation moves on-hand and reserved units alike, so what is
		    -- available is the same before and after it.
		    INSERT INTO demandes (magasin_id, produit_id, quantite, origine, motif)
		    SELECT u.emplacement_id, u.produit_id, GREATEST(2 * `+seuilSQL+` - (u.quantite - u.reserve), 1), $5,
		           format('disponible %s sous le seuil %s après une vente', u.quantite - u.reserve, `+seuilSQL+`)
		    FROM u
		    JOIN emplacements e ON e.id = u.emplacement_id AND e.type = 'magasin'
		    LEFT JOIN seuils s ON s.emplacement_id = u.emplacement_id AND s.produit_id = u.produit_id
		    WHERE u.quantite - u.reserve < `+seuilSQL+`
		    ORDER BY u.produit_id
		    ON CONFLICT (magasin_id, produit_id) WHERE statut = 'en_attente' DO NOTHING
		)
		SELECT r.cle, r.emplacement_id, r.reference, r.cree_le,
		       ARRAY(SELECT produit_id FROM l), ARRAY(SELECT quantite FROM l),
		       -- The ledger first, the stock rows last, so they stay locked the least.
		       CASE WHEN (SELECT count(*) FROM m) >= 0 THEN
		           CASE WHEN (SELECT count(*) FROM u) < (SELECT count(*) FROM l) THEN refuser('confirmation incomplete') END
		       END
		FROM r`, cle, stock.MvtVente, stock.ActeurSaga, "vente", stock.OrigineAutomatique).
		Scan(&res.Cle, &res.EmplacementID, &res.Reference, &res.CreeLe, &ids, &qs, new(*int64))
	if err == nil {
		res.Statut, res.CreeLe = stock.StatutConfirmee, res.CreeLe.UTC()
		res.Lignes = make([]stock.Ligne, len(ids))
		for i := range ids {
			res.Lignes[i] = stock.Ligne{ProduitID: ids[i], Quantite: qs[i]}
		}
		return res, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return res, false, fmt.Errorf("confirm %s: %w", cle, err)
	}
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		res, acted, err = apply(ctx, tx, cle, stock.Confirmer)
		return err
	})
	return res, acted, err
}

// apply locks the reservation row, so concurrent releases and confirmations
// of one key act once, then moves stock as the transition says.
func apply(ctx context.Context, tx pgx.Tx, cle string, a stock.Action) (stock.Reservation, bool, error) {
	res, err := load(ctx, tx, cle, true)
	if err != nil {
		return res, false, err
	}
	next, act, err := stock.Transition(res.Statut, a)
	if err != nil || !act {
		return res, false, err
	}
	if res.EmplacementID == nil {
		return res, false, fmt.Errorf("active reservation %s has no location", cle)
	}
	emp := *res.EmplacementID
	update := `UPDATE niveaux SET reserve = reserve - $3
	           WHERE emplacement_id = $1 AND produit_id = $2 AND reserve >= $3`
	m := mvt{stock.MvtLiberation, ledgerRef(cle, res.Reference), stock.ActeurSaga, "réservation libérée"}
	var tail *pgx.QueuedQuery
	if a == stock.Confirmer {
		update = `UPDATE niveaux SET quantite = quantite - $3, reserve = reserve - $3
		          WHERE emplacement_id = $1 AND produit_id = $2 AND reserve >= $3`
		m.typ, m.motif = stock.MvtVente, "vente"
		if emp != stock.CentreID { // the centre is replenished by suppliers, not by requests
			tail = replenish(emp, res.Lignes)
		}
	}
	// Lines are by product id (load sorts them): the same lock order as Reserve.
	moved, err := moveStock(ctx, tx, emp, update, res.Lignes, []pgx.QueuedQuery{mouvementsQuery(emp, m, res.Lignes),
		{SQL: `UPDATE reservations SET statut = $2, modifie_le = now() WHERE cle = $1`, Arguments: []any{cle, next}}}, tail)
	if err != nil {
		return res, false, fmt.Errorf("%s %s: %w", m.typ, cle, err)
	}
	for i, l := range res.Lignes {
		if !moved[i] {
			return res, false, fmt.Errorf("%s %s: product %d has fewer than %d reserved units", m.typ, cle, l.ProduitID, l.Quantite)
		}
	}
	res.Statut = next
	return res, true, nil
}
