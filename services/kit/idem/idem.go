// Package idem stores the answer given under an Idempotency-Key in the same
// transaction as the effect, so a repeat replays it and the effect happens once.
//
// In a transaction: Claim the key; on nil, nil do the effect, then Keep the
// answer; on a stored Answer, replay it and do nothing else. A failure rolls
// the transaction back, which frees the key, so a retry is evaluated afresh.
package idem

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Schema is the table Claim and Keep use, created unqualified in the
// service's own schema. Each service keeps this DDL in its own migration;
// it is here for tests and as the reference. reponse is json, not jsonb, so a
// replay gets back the very bytes that were stored.
const Schema = `CREATE TABLE idempotence (
    portee     text        NOT NULL,
    cle        text        NOT NULL CHECK (length(cle) BETWEEN 1 AND 200),
    empreinte  text        NOT NULL,
    statut     integer,
    reponse    json,
    cree_le    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (portee, cle)
)`

// ErrReused is a key sent again with a different request: the caller has a bug
// or two requests collide, and neither may get the other's answer.
var ErrReused = errors.New("idempotency key reused with a different request")

// Key is one Idempotency-Key in a scope (the operation, each with its own key
// space), with the fingerprint of the request it came with.
type Key struct {
	Scope       string
	Key         string
	Fingerprint string
}

// Answer is what the first request under a key got.
type Answer struct {
	Status int
	Body   []byte
}

// Fingerprint is the sha256 (hex) of the JSON of v. Fingerprinting the
// request as decoded makes the same request sent with other spacing or field
// order a repeat, and anything else not.
func Fingerprint(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// A request decoded from JSON encodes back; this keeps values that
		// cannot apart rather than letting them all share one fingerprint.
		b = fmt.Appendf(nil, "%#v", v)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Claim takes k inside tx. nil, nil: the key is ours, do the effect then Keep.
// A stored *Answer: a repeat, replay it. ErrReused: the same key came with a
// different request. A concurrent holder of the key makes the insert wait
// until it commits (then its answer is read) or rolls back (then the key is ours).
func Claim(ctx context.Context, tx pgx.Tx, k Key) (*Answer, error) {
	tag, err := tx.Exec(ctx,
		`INSERT INTO idempotence (portee, cle, empreinte) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		k.Scope, k.Key, k.Fingerprint)
	if err != nil {
		return nil, fmt.Errorf("claim key %s/%s: %w", k.Scope, k.Key, err)
	}
	if tag.RowsAffected() == 1 {
		return nil, nil
	}
	return Replay(ctx, tx, k)
}

// Keep stores the answer under k, claimed earlier in tx. body is stored as is
// when it is []byte or json.RawMessage (it must be JSON), else as its JSON.
func Keep(ctx context.Context, tx pgx.Tx, k Key, status int, body any) error {
	var b []byte
	switch v := body.(type) {
	case []byte:
		b = v
	case json.RawMessage:
		b = v
	default:
		var err error
		if b, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode answer for %s/%s: %w", k.Scope, k.Key, err)
		}
	}
	tag, err := tx.Exec(ctx, `UPDATE idempotence SET statut = $3, reponse = $4 WHERE portee = $1 AND cle = $2`,
		k.Scope, k.Key, status, string(b))
	if err != nil {
		return fmt.Errorf("keep answer for %s/%s: %w", k.Scope, k.Key, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("keep answer for %s/%s: key not claimed", k.Scope, k.Key)
	}
	return nil
}

// When the answer is known before the effect (a record whose content the
// caller sends whole), the claim, the answer and the effect fit in one
// statement, so one round trip and one commit: the statement opens with
// Claimed, its inserts select FROM k so they run only when the key is new,
// and a key already there makes them insert nothing; Replay then reads its
// answer. An effect that fails aborts the statement, key included.

// Claimed is the CTE "k" that claims a key with its answer, over parameters
// $first to $first+4, filled by Args. It yields one row when the key was new.
func Claimed(first int) string {
	return fmt.Sprintf(`k AS (INSERT INTO idempotence (portee, cle, empreinte, statut, reponse)
	    VALUES ($%d, $%d, $%d, $%d, $%d) ON CONFLICT DO NOTHING RETURNING cle)`, first, first+1, first+2, first+3, first+4)
}

// Args are the parameters of Claimed for k with its answer (JSON).
func (k Key) Args(status int, body []byte) []any {
	return []any{k.Scope, k.Key, k.Fingerprint, status, string(body)}
}

// Querier is what Replay needs: a pool, a connection or a transaction.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Replay reads the answer stored under k when a Claimed statement found the
// key taken. ErrReused: the key came with a different request.
func Replay(ctx context.Context, q Querier, k Key) (*Answer, error) {
	var (
		empreinte string
		status    *int
		body      []byte
	)
	err := q.QueryRow(ctx, `SELECT empreinte, statut, reponse FROM idempotence WHERE portee = $1 AND cle = $2`,
		k.Scope, k.Key).Scan(&empreinte, &status, &body)
	if err != nil {
		return nil, fmt.Errorf("read key %s/%s: %w", k.Scope, k.Key, err)
	}
	if empreinte != k.Fingerprint {
		return nil, ErrReused
	}
	if status == nil {
		return nil, fmt.Errorf("key %s/%s was committed without an answer", k.Scope, k.Key)
	}
	return &Answer{Status: *status, Body: body}, nil
}
