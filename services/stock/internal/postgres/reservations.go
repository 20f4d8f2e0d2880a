package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

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

// errNotApplied rolls back a reservation that could not take every line;
// diagnose then says why, reading only.
var errNotApplied = errors.New("reservation not applied")

// Reserve sets aside every line or none, in one transaction of three round
// trips: the key (with its answer), then the lines, the ledger and the stock
// rows together. Whatever stops a line (an unknown or withdrawn product, a
// shortage) rolls everything back, and diagnose names it. created is false
// when the key was already used for the same request and the stored answer
// is returned.
func (r *Repo) Reserve(ctx context.Context, n stock.NouvelleReservation) (res stock.Reservation, created bool, err error) {
	d := n.Demande()
	empreinte := n.Empreinte()
	emp := d.Location()
	ordered := d.LockOrder()
	lignes := make([]stock.Ligne, len(ordered))
	for i, l := range ordered {
		lignes[i] = l.Ligne
	}
	res = stock.Reservation{Cle: n.Cle, EmplacementID: &emp, Statut: stock.StatutActive, Reference: n.Reference,
		Lignes: lignes, CreeLe: time.Now().UTC().Truncate(time.Microsecond)}
	body, err := json.Marshal(res)
	if err != nil {
		return res, false, err
	}
	var moved []bool
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		created, moved = false, nil
		// Claiming the key first serialises concurrent calls with the same key
		// (and a concurrent release): the loser waits, then sees the winner's row.
		tag, err := tx.Exec(ctx,
			`INSERT INTO reservations (cle, emplacement_id, reference, statut, empreinte, reponse, cree_le)
			 VALUES ($1, $2, $3, 'active', $4, $5, $6) ON CONFLICT (cle) DO NOTHING`,
			n.Cle, emp, n.Reference, empreinte, body, res.CreeLe)
		if err != nil {
			return errNotApplied // an unknown location, most likely: diagnose says
		}
		if tag.RowsAffected() == 0 {
			res, err = replay(ctx, tx, n.Cle, empreinte)
			return err
		}
		// The stock rows come last, so the busiest rows of the database stay
		// locked only for one round trip and the commit. A withdrawn product
		// moves nothing, like a shortage.
		moved, err = moveStock(ctx, tx, emp,
			`UPDATE niveaux SET reserve = reserve + $3
			 WHERE emplacement_id = $1 AND produit_id = $2 AND quantite - reserve >= $3
			   AND EXISTS (SELECT 1 FROM produits WHERE id = $2 AND actif)`, lignes,
			[]pgx.QueuedQuery{lignesQuery(n.Cle, lignes),
				mouvementsQuery(emp, mvt{stock.MvtReservation, ledgerRef(n.Cle, n.Reference), stock.ActeurSaga, "réservation"}, lignes)},
			nil)
		if err != nil || slices.Contains(moved, false) {
			return errNotApplied
		}
		created = true
		return nil
	})
	if errors.Is(err, errNotApplied) {
		return res, false, r.diagnose(ctx, emp, ordered, moved)
	}
	return res, created, err
}

// diagnose says why a reservation could not take every line: an unknown
// location or product, a withdrawn product, or the lines short (moved, when
// known, tells which lines found their units).
func (r *Repo) diagnose(ctx context.Context, emp int64, ordered []stock.Indexed, moved []bool) error {
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
		for i, l := range ordered {
			if (moved != nil && !moved[i]) || (moved == nil && dispo[l.ProduitID] < l.Quantite) {
				short.Lignes = append(short.Lignes, stock.Manque{Index: l.Index, ProduitID: l.ProduitID,
					Demande: l.Quantite, Disponible: max(dispo[l.ProduitID], 0)})
			}
		}
		if len(short.Lignes) == 0 {
			// Units came back between the attempt and this read: nothing was
			// reserved, and asking again may work.
			return fmt.Errorf("reservation at %d raced with a stock change; nothing was reserved", emp)
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

// lignesQuery writes a reservation's lines in one statement.
func lignesQuery(cle string, lignes []stock.Ligne) pgx.QueuedQuery {
	ids := make([]int64, len(lignes))
	qs := make([]int64, len(lignes))
	for i, l := range lignes {
		ids[i], qs[i] = l.ProduitID, l.Quantite
	}
	return pgx.QueuedQuery{SQL: `INSERT INTO reservation_lignes (cle, produit_id, quantite)
		 SELECT $1, p, q FROM unnest($2::bigint[], $3::bigint[]) AS l(p, q)`, Arguments: []any{cle, ids, qs}}
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

// Confirm commits a reservation: its units leave the location for good.
func (r *Repo) Confirm(ctx context.Context, cle string) (res stock.Reservation, acted bool, err error) {
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
