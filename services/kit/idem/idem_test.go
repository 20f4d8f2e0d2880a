package idem_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit/idem"
	"multimagasins/kit/kittest"
)

// db gives a fresh database with only the idempotence table and an effets
// table that counts how many times an effect ran.
func db(t *testing.T) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(kittest.DB(t, "stock", nil))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = "stock"
	cfg.MaxConns = 25
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, idem.Schema); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE effets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, par int NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return pool
}

// once runs the idempotent operation the way a service does: claim, effect, keep.
// It returns the answer given and whether it was a replay.
func once(ctx context.Context, pool *pgxpool.Pool, k idem.Key, par int) (ans idem.Answer, replay bool, err error) {
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		stored, err := idem.Claim(ctx, tx, k)
		if err != nil || stored != nil {
			if stored != nil {
				ans, replay = *stored, true
			}
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO effets (par) VALUES ($1) RETURNING id`, par).Scan(&id); err != nil {
			return err
		}
		body := map[string]any{"id": id, "par": par}
		b, _ := json.Marshal(body)
		ans = idem.Answer{Status: 201, Body: b}
		return idem.Keep(ctx, tx, k, 201, body)
	})
	return ans, replay, err
}

func count(t *testing.T, pool *pgxpool.Pool, table string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestClaim_RepeatReplaysTheSameBytes(t *testing.T) {
	ctx := context.Background()
	pool := db(t)
	k := idem.Key{Scope: "reception", Key: "k-1", Fingerprint: idem.Fingerprint(map[string]int{"q": 3})}

	first, replay, err := once(ctx, pool, k, 1)
	if err != nil || replay {
		t.Fatalf("first: replay=%v err=%v", replay, err)
	}
	again, replay, err := once(ctx, pool, k, 2)
	if err != nil || !replay {
		t.Fatalf("repeat: replay=%v err=%v", replay, err)
	}
	if again.Status != first.Status || string(again.Body) != string(first.Body) {
		t.Fatalf("replay %d %s, first answer %d %s", again.Status, again.Body, first.Status, first.Body)
	}
	if n := count(t, pool, "effets"); n != 1 {
		t.Fatalf("effect ran %d times", n)
	}
}

func TestClaim_DifferentRequestUnderTheKeyIsRefused(t *testing.T) {
	ctx := context.Background()
	pool := db(t)
	k := idem.Key{Scope: "paiement", Key: "k-1", Fingerprint: idem.Fingerprint("a")}
	if _, _, err := once(ctx, pool, k, 1); err != nil {
		t.Fatal(err)
	}
	k.Fingerprint = idem.Fingerprint("b")
	if _, _, err := once(ctx, pool, k, 2); !errors.Is(err, idem.ErrReused) {
		t.Fatalf("got %v, want ErrReused", err)
	}
	// Another scope is another key space.
	k.Scope = "remboursement"
	if _, replay, err := once(ctx, pool, k, 3); err != nil || replay {
		t.Fatalf("other scope: replay=%v err=%v", replay, err)
	}
	if n := count(t, pool, "effets"); n != 2 {
		t.Fatalf("effect ran %d times, want 2", n)
	}
}

func TestClaim_RollbackFreesTheKey(t *testing.T) {
	ctx := context.Background()
	pool := db(t)
	k := idem.Key{Scope: "reception", Key: "k-1", Fingerprint: idem.Fingerprint(1)}
	failed := errors.New("effect failed")
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if stored, err := idem.Claim(ctx, tx, k); err != nil || stored != nil {
			t.Fatalf("claim: %v %v", stored, err)
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatal(err)
	}
	if n := count(t, pool, "idempotence"); n != 0 {
		t.Fatalf("%d keys left after a rollback", n)
	}
	// The retry is evaluated afresh, even with another request: nothing was promised.
	k.Fingerprint = idem.Fingerprint(2)
	if _, replay, err := once(ctx, pool, k, 1); err != nil || replay {
		t.Fatalf("retry: replay=%v err=%v", replay, err)
	}
}

func TestClaim_ConcurrentHoldersDoTheEffectOnce(t *testing.T) {
	ctx := context.Background()
	pool := db(t)
	k := idem.Key{Scope: "reception", Key: "k-1", Fingerprint: idem.Fingerprint("same")}
	const n = 20
	type result struct {
		ans    idem.Answer
		replay bool
		err    error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ans, replay, err := once(ctx, pool, k, i)
			results[i] = result{ans, replay, err}
		})
	}
	wg.Wait()
	var winners []idem.Answer
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("goroutine %d: %v", i, r.err)
		}
		if !r.replay {
			winners = append(winners, r.ans)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d goroutines did the effect, want 1", len(winners))
	}
	for i, r := range results {
		if r.ans.Status != winners[0].Status || string(r.ans.Body) != string(winners[0].Body) {
			t.Fatalf("goroutine %d answered %d %s, the effect answered %d %s", i, r.ans.Status, r.ans.Body,
				winners[0].Status, winners[0].Body)
		}
	}
	if got := count(t, pool, "effets"); got != 1 {
		t.Fatalf("effect ran %d times", got)
	}
}

func TestKeep_RawBytesAreStoredAsIs(t *testing.T) {
	ctx := context.Background()
	pool := db(t)
	k := idem.Key{Scope: "s", Key: "k", Fingerprint: "f"}
	raw := []byte(`{"b":1,"a":"100.00"}`)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := idem.Claim(ctx, tx, k); err != nil {
			return err
		}
		return idem.Keep(ctx, tx, k, 402, raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		ans, err := idem.Claim(ctx, tx, k)
		if err != nil {
			return err
		}
		if ans == nil || ans.Status != 402 || string(ans.Body) != string(raw) {
			return fmt.Errorf("got %+v", ans)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestKeep_UnclaimedKeyIsAnError(t *testing.T) {
	ctx := context.Background()
	pool := db(t)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		return idem.Keep(ctx, tx, idem.Key{Scope: "s", Key: "k", Fingerprint: "f"}, 200, "x")
	})
	if err == nil {
		t.Fatal("keep without claim succeeded")
	}
}

func TestClaim_CommittedWithoutAnswerIsAnError(t *testing.T) {
	ctx := context.Background()
	pool := db(t)
	k := idem.Key{Scope: "s", Key: "k", Fingerprint: "f"}
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { _, err := idem.Claim(ctx, tx, k); return err }); err != nil {
		t.Fatal(err)
	}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { _, err := idem.Claim(ctx, tx, k); return err })
	if err == nil || errors.Is(err, idem.ErrReused) {
		t.Fatalf("got %v, want an error about the missing answer", err)
	}
}

func TestFingerprint(t *testing.T) {
	type req struct {
		A string `json:"a"`
		B int    `json:"b"`
	}
	tests := []struct {
		name string
		x, y any
		same bool
	}{
		{"equal values", req{"x", 1}, req{"x", 1}, true},
		{"one field differs", req{"x", 1}, req{"x", 2}, false},
		{"strings", "creer|a", "creer|b", false},
		{"unencodable values stay apart", func() {}, make(chan int), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := idem.Fingerprint(tt.x), idem.Fingerprint(tt.y)
			if (a == b) != tt.same || len(a) != 64 {
				t.Fatalf("%s vs %s, same=%v", a, b, tt.same)
			}
		})
	}
}
