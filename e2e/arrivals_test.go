package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestAProductImportedAfterTrainingIsANewArrival: in a trained shop, the
// merchant imports another product through the import form; without
// retraining, a visitor's "New arrivals" row starts with it.
func TestAProductImportedAfterTrainingIsANewArrival(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	if s.srv.Shop().Model() == nil {
		t.Fatal("the world has no trained model")
	}
	b := newBrowser(t, s)
	file := writeTemp(t, "more.csv", productsHeader+
		"ARR-1,Copper Kettle,A copper kettle for the stove.,Kitchen,Hearth,39.00,5,"+time.Now().UTC().Format(time.RFC3339)+"\n")

	b.step(t, "the merchant imports a product", func(t *testing.T, b *tab) {
		b.addAdminAndLogIn(s)
		b.importProducts(file)
		// The server's background loop reloads the catalog a moment after
		// an import; the test server runs no background loop.
		must(t, s.srv.Shop().RefreshCatalog(context.Background(), true))
	})

	b.step(t, "a visitor's New arrivals starts with it, without retraining", func(t *testing.T, b *tab) {
		if _, known := s.srv.Shop().Model().Item("ARR-1"); known {
			t.Fatal("the model knows ARR-1: the test needs a product added after training")
		}
		kettle := s.product("ARR-1")
		shopper := b.incognito()
		eventually(t, 8*time.Second, func() string {
			shopper.open("/", `section[data-slot-id]`)
			cards := shopper.attrs(`section[data-slot-type="new_arrivals"] [data-product-id]`, "data-product-id")
			if len(cards) == 0 || cards[0] != fmt.Sprint(kettle.ID) {
				return fmt.Sprintf("New arrivals shows %v, want the imported product %d first", cards, kettle.ID)
			}
			return ""
		})
	})
}
