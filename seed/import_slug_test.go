package seed

import (
	"context"
	"errors"
	"strings"
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

// TestACategoryNameWithASeparatorIsExplained: a category named with a ">"
// is refused with the reason, not only "has an empty level".
func TestACategoryNameWithASeparatorIsExplained(t *testing.T) {
	db := openDB(t)
	_, err := Import(context.Background(), db, writeFile(t, "products.csv", "id,title,description,category,brand,price,stock,created_at\n"+
		"T1,Torque Wrench,,Tools <Pro>,,25,1,\n"), "", nil)
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 {
		t.Fatalf("import error %v, want one problem", err)
	}
	if msg := ie.Problems[0].String(); !strings.Contains(msg, `separated by ">"`) || !strings.Contains(msg, "cannot contain") {
		t.Fatalf("the problem reads %q", msg)
	}
}
