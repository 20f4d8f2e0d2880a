package kittest

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
)

type essaiInput struct {
	ClientID int64 `path:"client_id" minimum:"1"`
	Body     struct {
		Note string `json:"note"`
	}
}

type essaiQuery struct {
	MagasinID int64 `query:"magasin_id"`
}

// runEssai is a service with one route of each kind of rule.
func runEssai(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	return kit.Run(ctx, kit.Service{Name: "essai", Port: 1}, getenv, stdout, func(app *kit.App, _ *pgxpool.Pool) error {
		ok := func(context.Context, *struct{}) (*struct{}, error) { return &struct{}{}, nil }
		huma.Register(app.API, kit.Access(huma.Operation{OperationID: "public", Method: http.MethodGet, Path: "/public"},
			kit.Public), ok)
		huma.Register(app.API, kit.Access(huma.Operation{OperationID: "notes", Method: http.MethodPut, Path: "/notes/{client_id}"},
			kit.ClientOf("client_id"), kit.MaisonMere), func(context.Context, *essaiInput) (*struct{}, error) {
			return &struct{}{}, nil
		})
		huma.Register(app.API, kit.Access(huma.Operation{OperationID: "caisse", Method: http.MethodGet, Path: "/caisse"},
			kit.CaissierOf("magasin_id"), kit.Services), func(context.Context, *essaiQuery) (*struct{}, error) {
			return &struct{}{}, nil
		})
		huma.Register(app.API, kit.Access(huma.Operation{OperationID: "clients", Method: http.MethodGet, Path: "/clients"},
			kit.AnyClient, kit.Logistique), ok)
		return nil
	})
}

func TestRoutes_ReadTheGrantsAndBodies(t *testing.T) {
	base := Start(t, runEssai, nil)
	got := Routes(t, base)
	want := []Route{
		{Method: "GET", Path: "/caisse", Grants: []string{"caissier(magasin_id)", "service"}},
		{Method: "GET", Path: "/clients", Grants: []string{"client", "logistique"}},
		{Method: "PUT", Path: "/notes/{client_id}", Grants: []string{"client(client_id)", "maison_mere"}, HasBody: true},
		{Method: "GET", Path: "/public", Grants: []string{"public"}},
	}
	if len(got) != len(want) {
		t.Fatalf("routes = %+v", got)
	}
	for i := range want {
		if got[i].String() != want[i].String() || got[i].HasBody != want[i].HasBody ||
			len(got[i].Grants) != len(want[i].Grants) || got[i].Grants[0] != want[i].Grants[0] {
			t.Errorf("route %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestRequireAccess_HoldsEveryRouteToItsRule(t *testing.T) {
	base := Start(t, runEssai, nil)
	RequireAccess(t, base, map[string]string{"client_id": "7", "magasin_id": "2"})
}
