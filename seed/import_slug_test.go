package seed

import (
	"context"
	"testing"
)

// TestImportedAddressesSpellAccentedWords: a catalog written in French or
// German gets product and category addresses that spell its words without
// their accents ("Élite" is "elite", not "lite"; "Zubehör" is "zubehor",
// not "zubeh-r").
func TestImportedAddressesSpellAccentedWords(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\n"+
		"B1,Long Haul Élite #16,,Zubehör > Schlösser,Müller,19.99,3,\n"+
		"B2,Maillot à pois — Édition spéciale,,Vêtements > Maillots,,40,1,\n"+
		"B3,Fußpumpe Ærø Łódź,,Zubehör > Pumpen,,25,1,\n", "")
	for sku, want := range map[string]string{
		"B1": "long-haul-elite-16",
		"B2": "maillot-a-pois-edition-speciale",
		"B3": "fusspumpe-aero-lodz",
	} {
		p, err := db.ProductByExternalID(ctx, sku)
		if err != nil {
			t.Fatal(err)
		}
		if p.Slug != want {
			t.Errorf("%s %q has the address %q, want %q", sku, p.Title, p.Slug, want)
		}
	}
	for name, want := range map[string]string{"Zubehör": "zubehor", "Schlösser": "schlosser", "Vêtements": "vetements"} {
		cs, err := db.Categories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, c := range cs {
			if c.Name == name {
				got = c.Slug
			}
		}
		if got != want {
			t.Errorf("category %q has the address %q, want %q", name, got, want)
		}
	}
}
