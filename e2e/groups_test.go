package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheImportFormStoresProductGroups: a fashion merchant's file has a row
// per size (one SKU each) and a group_id naming the dress; the import form
// stores the groups (rows of recommendations show one product of a group:
// recommender TestARowShowsOneProductOfAGroup, web
// TestAProductPageLeavesOutItsOwnGroup), and a later file without the
// column keeps them.
func TestTheImportFormStoresProductGroups(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newAdmin(t, s)
	write := func(name string, withGroup bool) string {
		var csv strings.Builder
		csv.WriteString("id,title,description,category,brand,price,stock,created_at")
		if withGroup {
			csv.WriteString(",group_id")
		}
		csv.WriteString("\n")
		for _, d := range []string{"Élise", "Chloé"} {
			for _, size := range []string{"S", "M", "L"} {
				csv.WriteString("D-" + d + "-" + size + `,Robe « ` + d + ` » – taille ` + size + ",Lin.,Mode > Robes,Zéphyr,79.90,5,")
				if withGroup {
					csv.WriteString(",D-" + d)
				}
				csv.WriteString("\n")
			}
		}
		file := filepath.Join(t.TempDir(), name)
		must(t, os.WriteFile(file, []byte(csv.String()), 0o644))
		return file
	}
	importFile := func(b *tab, file string) {
		b.t.Helper()
		b.importProducts(file)
	}
	b.step(t, "the import stores each size's group", func(t *testing.T, b *tab) {
		b.open("/admin/import", `[data-testid="import-form"]`)
		if got := b.text(`[data-testid="products-columns"]`); !strings.Contains(got, "group_id") {
			t.Errorf("the import form does not name the group_id column: %q", got)
		}
		importFile(b, write("robes.csv", true))
		for _, sku := range []string{"D-Élise-S", "D-Élise-L", "D-Chloé-M"} {
			if g, want := s.product(sku).GroupID, sku[:strings.LastIndex(sku, "-")]; g != want {
				t.Errorf("%s is in group %q, want %q", sku, g, want)
			}
		}
	})
	b.step(t, "a file without the column keeps the groups", func(t *testing.T, b *tab) {
		importFile(b, write("robes-no-groups.csv", false))
		if g := s.product("D-Chloé-M").GroupID; g != "D-Chloé" {
			t.Errorf("D-Chloé-M is in group %q after a file without group_id", g)
		}
	})
}
