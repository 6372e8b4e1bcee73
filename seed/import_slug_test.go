package seed

import (
	"context"
	"errors"
	"strings"
	"testing"

	"storefront/models"
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

// TestASlashInACategoryName: a file that writes its paths with ">" keeps
// "/" in names ("Media > CD/DVD", a top-level "Cables / Adapters"); a file
// that never uses ">" separates levels with "/", and a name there that
// leaves a level empty is refused with its file, line and field and how
// to keep the "/".
func TestASlashInACategoryName(t *testing.T) {
	const header = "id,title,description,category,brand,price,stock,created_at\n"
	ctx := context.Background()
	pathOf := func(t *testing.T, db *models.DB, sku string) string {
		t.Helper()
		p, err := db.ProductByExternalID(ctx, sku)
		if err != nil {
			t.Fatal(err)
		}
		cats, err := db.Categories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[uint]models.Category{}
		for _, c := range cats {
			byID[c.ID] = c
		}
		var path []string
		for c, ok := byID[p.CategoryID]; ok; {
			path = append([]string{c.Name}, path...)
			if c.ParentID == nil {
				break
			}
			c, ok = byID[*c.ParentID]
		}
		return strings.Join(path, " > ")
	}

	t.Run("paths written with >", func(t *testing.T) {
		db := openDB(t)
		mustImport(t, db, header+
			"M1,Live Concert,,Media > CD/DVD,,12,1,\n"+
			"C1,USB-C Adapter,,Cables / Adapters,,9,1,\n", "")
		for sku, want := range map[string]string{"M1": "Media > CD/DVD", "C1": "Cables / Adapters"} {
			if got := pathOf(t, db, sku); got != want {
				t.Errorf("%s is in %q, want %q", sku, got, want)
			}
		}
	})

	t.Run("paths written with /", func(t *testing.T) {
		db := openDB(t)
		mustImport(t, db, header+"T1,Dome Tent,,Outdoor/Tents,,99,1,\nK1,Kettle,,Kitchen/Kettles,,29,1,\n", "")
		if got := pathOf(t, db, "T1"); got != "Outdoor > Tents" {
			t.Errorf("T1 is in %q, want Outdoor > Tents", got)
		}
	})

	t.Run("a name leaving a level empty", func(t *testing.T) {
		db := openDB(t)
		_, err := Import(ctx, db, writeFile(t, "products.csv", header+
			"T1,Dome Tent,,Outdoor/Tents,,99,1,\n"+
			"A1,Adapter,,Cables/,,9,1,\n"), "", nil)
		var ie *ImportError
		if !errors.As(err, &ie) || len(ie.Problems) != 1 {
			t.Fatalf("import error %v, want one problem", err)
		}
		msg := ie.Problems[0].String()
		for _, want := range []string{"products.csv:3: field category:", `separates levels with "/"`, `write the paths with ">"`} {
			if !strings.Contains(msg, want) {
				t.Errorf("the problem %q does not say %q", msg, want)
			}
		}
	})
}
