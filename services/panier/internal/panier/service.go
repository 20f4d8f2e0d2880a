package panier

import (
	"context"
	"errors"

	"multimagasins/kit"
)

// Clients answers whether a client account exists: nil, ErrClientInconnu,
// or an *IndisponibleError.
type Clients interface {
	Verifier(ctx context.Context, clientID int64) error
}

// Stock reads the catalogue and the logistics centre's availability.
type Stock interface {
	// Produit returns the product, ErrProduitInconnu, or an *IndisponibleError.
	Produit(ctx context.Context, produitID int64) (Produit, error)
	// Disponible returns how many units the centre can sell now.
	Disponible(ctx context.Context, produitID int64, quantite int) (int, error)
}

// Store keeps carts. Each write is one statement, and returns the cart after it.
type Store interface {
	Panier(ctx context.Context, clientID int64) (Panier, error)
	// Quantite returns the line's quantity, or ErrLigneAbsente.
	Quantite(ctx context.Context, clientID, produitID int64) (int, error)
	// Ajouter adds quantite to the line (creating it at prix) unless the line
	// would then exceed plafond (ErrPlafond); nouvelle tells if it was created.
	Ajouter(ctx context.Context, clientID, produitID int64, quantite int, prix kit.Cents, plafond int) (p Panier, nouvelle bool, err error)
	// Fixer sets an existing line's quantity and price, or ErrLigneAbsente.
	Fixer(ctx context.Context, clientID, produitID int64, quantite int, prix kit.Cents) (Panier, error)
	// Retirer removes a line, or ErrLigneAbsente.
	Retirer(ctx context.Context, clientID, produitID int64) error
	Vider(ctx context.Context, clientID int64) error
}

// Service runs the cart's use cases. Other services are asked first and the
// database written last, so no transaction ever waits on the network.
type Service struct {
	clients Clients
	stock   Stock
	store   Store
}

// NewService wires the use cases to their collaborators.
func NewService(clients Clients, stock Stock, store Store) *Service {
	return &Service{clients: clients, stock: stock, store: store}
}

// Panier reads a client's cart. It does not ask the clients service: an
// unknown client simply has an empty cart, and reads stay one query.
func (s *Service) Panier(ctx context.Context, clientID int64) (Panier, error) {
	return s.store.Panier(ctx, clientID)
}

// Ajouter adds quantite units of a product to the client's cart at today's
// catalogue price; nouvelle tells whether the line was created.
func (s *Service) Ajouter(ctx context.Context, clientID, produitID int64, quantite int) (p Panier, nouvelle bool, err error) {
	// The two lookups are independent; asking both at once halves the wait.
	clientErr := make(chan error, 1)
	go func() { clientErr <- s.clients.Verifier(ctx, clientID) }()
	produit, produitErr := s.stock.Produit(ctx, produitID)
	if err := <-clientErr; err != nil {
		return Panier{}, false, err
	}
	if produitErr != nil {
		return Panier{}, false, produitErr
	}
	if !produit.Actif {
		return Panier{}, false, ErrProduitInactif
	}

	actuelle, err := s.store.Quantite(ctx, clientID, produitID)
	if errors.Is(err, ErrLigneAbsente) {
		actuelle, err = 0, nil
	}
	if err != nil {
		return Panier{}, false, err
	}
	voulue := actuelle + quantite
	if voulue > QuantiteMax {
		return Panier{}, false, ErrQuantiteMax
	}
	disponible, err := s.stock.Disponible(ctx, produitID, voulue)
	if err != nil {
		return Panier{}, false, err
	}
	if err := VerifierQuantite(voulue, disponible); err != nil {
		return Panier{}, false, err
	}

	// The line may have grown since it was read: the store enforces the
	// ceiling in the same statement as the increment, so concurrent adds
	// never push a line past what the centre had.
	p, nouvelle, err = s.store.Ajouter(ctx, clientID, produitID, quantite, produit.Prix, min(QuantiteMax, disponible))
	if errors.Is(err, ErrPlafond) {
		return Panier{}, false, s.refus(ctx, clientID, produitID, quantite, disponible)
	}
	return p, nouvelle, err
}

// refus explains why a concurrent add made this one overflow its line.
func (s *Service) refus(ctx context.Context, clientID, produitID int64, quantite, disponible int) error {
	actuelle, err := s.store.Quantite(ctx, clientID, produitID)
	if err != nil && !errors.Is(err, ErrLigneAbsente) {
		return err
	}
	voulue := actuelle + quantite
	if err := VerifierQuantite(voulue, disponible); err != nil {
		return err
	}
	return &StockInsuffisantError{Demande: voulue, Disponible: disponible}
}

// Modifier sets the quantity of a line already in the cart, at today's price.
func (s *Service) Modifier(ctx context.Context, clientID, produitID int64, quantite int) (Panier, error) {
	// Checked first so a missing line is a 404 even when stock is down.
	if _, err := s.store.Quantite(ctx, clientID, produitID); err != nil {
		return Panier{}, err
	}
	produit, err := s.stock.Produit(ctx, produitID)
	if err != nil {
		return Panier{}, err
	}
	if !produit.Actif {
		return Panier{}, ErrProduitInactif
	}
	if quantite > QuantiteMax {
		return Panier{}, ErrQuantiteMax
	}
	disponible, err := s.stock.Disponible(ctx, produitID, quantite)
	if err != nil {
		return Panier{}, err
	}
	if err := VerifierQuantite(quantite, disponible); err != nil {
		return Panier{}, err
	}
	return s.store.Fixer(ctx, clientID, produitID, quantite, produit.Prix)
}

// Retirer removes one line from the cart.
func (s *Service) Retirer(ctx context.Context, clientID, produitID int64) error {
	return s.store.Retirer(ctx, clientID, produitID)
}

// Vider empties the cart; emptying an empty cart is not an error, so the
// checkout saga may repeat it.
func (s *Service) Vider(ctx context.Context, clientID int64) error {
	return s.store.Vider(ctx, clientID)
}
