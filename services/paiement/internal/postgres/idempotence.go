package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"multimagasins/paiement/internal/paiement"
)

// claim takes the key for this transaction. A concurrent holder of the same
// key makes the insert wait until it commits (then its answer is read back)
// or rolls back (then the key is ours). It returns the stored answer on a repeat.
func claim(ctx context.Context, tx pgx.Tx, k paiement.Idempotence) (*paiement.Reponse, error) {
	tag, err := tx.Exec(ctx,
		`INSERT INTO idempotence (portee, cle, empreinte) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		k.Portee, k.Cle, k.Empreinte)
	if err != nil {
		return nil, fmt.Errorf("claim key %s: %w", k.Cle, err)
	}
	if tag.RowsAffected() == 1 {
		return nil, nil
	}
	var (
		empreinte string
		status    *int
		body      []byte
	)
	err = tx.QueryRow(ctx, `SELECT empreinte, statut, reponse FROM idempotence WHERE portee = $1 AND cle = $2`,
		k.Portee, k.Cle).Scan(&empreinte, &status, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("key %s vanished while claimed", k.Cle)
	}
	if err != nil {
		return nil, fmt.Errorf("read key %s: %w", k.Cle, err)
	}
	if empreinte != k.Empreinte {
		return nil, paiement.ErrCleReutilisee
	}
	if status == nil {
		return nil, fmt.Errorf("key %s has no answer", k.Cle)
	}
	return &paiement.Reponse{Status: *status, Body: body, Rejouee: true}, nil
}

// keep stores the answer under the key claimed earlier in the same transaction.
func keep(ctx context.Context, tx pgx.Tx, k paiement.Idempotence, status int, body []byte) error {
	_, err := tx.Exec(ctx, `UPDATE idempotence SET statut = $3, reponse = $4 WHERE portee = $1 AND cle = $2`,
		k.Portee, k.Cle, status, string(body))
	if err != nil {
		return fmt.Errorf("keep answer for %s: %w", k.Cle, err)
	}
	return nil
}
