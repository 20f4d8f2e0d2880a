package panier

import (
	"context"
	"errors"

	"multimagasins/kit"
	"multimagasins/kit/idem"
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
	// Ajouter adds a.Quantite to the line (creating it at prix) unless the
	// line would then exceed plafond (ErrPlafond). With a key (cle.Key not
	// empty) the key and the cart it left are stored with the add, in one
	// transaction; a twin that committed first under the key is replayed.
	Ajouter(ctx context.Context, a Ajout, prix kit.Cents, plafond int, cle idem.Key) (Resultat, error)
	// Rejouer returns what the add stored under cle said, nil when the key
	// is new, or ErrCleReutilisee when it came with another add.
	Rejouer(ctx context.Context, cle idem.Key) (*Resultat, error)
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

// Ajouter adds a.Quantite units of a product to the client's cart at
// today's catalogue price. Under an Idempotency-Key (cle.Key not empty) it
// adds once: a repeat gets the first answer, the cart as that add left it.
func (s *Service) Ajouter(ctx context.Context, a Ajout, cle idem.Key) (Resultat, error) {
	if cle.Key != "" {
		// Answered before asking anyone: the first add may have taken what a
		// fresh check against the centre's stock would now refuse.
		if r, err := s.store.Rejouer(ctx, cle); err != nil || r != nil {
			if err != nil {
				return Resultat{}, err
			}
			return *r, nil
		}
	}
	// The two lookups are independent; asking both at once halves the wait.
	clientErr := make(chan error, 1)
	go func() { clientErr <- s.clients.Verifier(ctx, a.ClientID) }()
	produit, produitErr := s.stock.Produit(ctx, a.ProduitID)
	if err := <-clientErr; err != nil {
		return Resultat{}, err
	}
	if produitErr != nil {
		return Resultat{}, produitErr
	}
	if !produit.Actif {
		return Resultat{}, ErrProduitInactif
	}

	actuelle, err := s.store.Quantite(ctx, a.ClientID, a.ProduitID)
	if errors.Is(err, ErrLigneAbsente) {
		actuelle, err = 0, nil
	}
	if err != nil {
		return Resultat{}, err
	}
	voulue := actuelle + a.Quantite
	if voulue > QuantiteMax {
		return Resultat{}, ErrQuantiteMax
	}
	disponible, err := s.stock.Disponible(ctx, a.ProduitID, voulue)
	if err != nil {
		return Resultat{}, err
	}
	if err := VerifierQuantite(voulue, disponible); err != nil {
		return Resultat{}, err
	}

	// The line may have grown since it was read: the store enforces the
	// ceiling in the same statement as the increment, so concurrent adds
	// never push a line past what the centre had.
	r, err := s.store.Ajouter(ctx, a, produit.Prix, min(QuantiteMax, disponible), cle)
	if errors.Is(err, ErrPlafond) {
		return Resultat{}, s.refus(ctx, a.ClientID, a.ProduitID, a.Quantite, disponible)
	}
	return r, err
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
