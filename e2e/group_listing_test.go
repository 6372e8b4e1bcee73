package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"storefront/models"
	"storefront/seed"
)

// dressNames are the models of the fashion catalog below.
var dressNames = []string{"Élise", "Chloé", "Amélie", "Margot", "Inès", "Léa", "Manon", "Camille", "Zoé", "Louise", "Jeanne", "Alice", "Rose",
	"Anna", "Juliette", "Agathe", "Lucie", "Romane", "Clara", "Adèle", "Emma", "Mila", "Nina", "Léna", "Sarah", "Eva"}

// TestAGroupIsOneCardInListings: a fashion shop imports its catalog with
// one row per size (group_id names the model): 26 dresses in three sizes
// each and a tee in two colours. The dresses' category and a search list
// one card per dress (26, two pages of 24 and 2, not 78 cards over four
// pages), named by the model ("Dress Élise", not "Dress Élise – S"), with
// "from" on a dress whose sizes differ in price; the brand facet counts
// dresses. A search for a colour finds that tee, once, by its own title.
func TestAGroupIsOneCardInListings(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		var csv strings.Builder
		csv.WriteString("id,title,description,category,brand,price,stock,created_at,group_id\n")
		for i, name := range dressNames {
			brand := []string{"Zéphyr", "Maison Lune"}[i%2]
			for _, size := range []string{"S", "M", "L"} {
				price, stock := "79.90", 4
				if i == 0 && size == "L" {
					price = "89.90"
				}
				if i == 1 && size == "S" {
					stock = 0
				}
				fmt.Fprintf(&csv, "D-%d-%s,Dress %s – %s,Linen dress.,Fashion > Dresses,%s,%s,%d,,D-%d\n", i, size, name, size, brand, price, stock, i)
			}
		}
		csv.WriteString("T-C,Tee Lou – Crimson,Cotton tee.,Fashion > Tops,Zéphyr,19.90,5,,TEE-LOU\n")
		csv.WriteString("T-N,Tee Lou – Navy,Cotton tee.,Fashion > Tops,Zéphyr,19.90,5,,TEE-LOU\n")
		file := filepath.Join(t.TempDir(), "fashion.csv")
		must(t, os.WriteFile(file, []byte(csv.String()), 0o644))
		_, err := seed.Import(context.Background(), db, file, "", io.Discard)
		must(t, err)
	})
	var dresses models.Category
	must(t, s.db.R.Where("name = ?", "Dresses").First(&dresses).Error)
	b := newBrowser(t, s)
	cards := func(t *testing.T, b *tab) []string {
		t.Helper()
		var titles []string
		for _, id := range b.attrs(`[data-testid="product-card"]`, "data-product-id") {
			titles = append(titles, b.text(`[data-testid="product-card"][data-product-id="`+id+`"] .card-title`))
		}
		for i, ti := range titles {
			if strings.Contains(ti, "–") || slices.Contains(titles[:i], ti) {
				t.Errorf("card %d reads %q: a size, or a model twice, in %q", i+1, ti, titles)
			}
		}
		return titles
	}
	listing := func(t *testing.T, b *tab, first, count string) {
		t.Helper()
		if got := b.text(`[data-testid="result-count"]`); got != count {
			t.Errorf("the count reads %q, want %q", got, count)
		}
		if got := cards(t, b); len(got) != 24 || (first != "" && got[0] != first) {
			t.Errorf("page 1 shows %d cards starting %q, want 24 starting %q: %q", len(got), got[0], first, got)
		}
		b.follow(`a[rel="next"]`, `[data-testid="product-card"]`)
		if got := cards(t, b); len(got) != 2 {
			t.Errorf("page 2 shows %d cards, want 2: %q", len(got), got)
		}
		if b.count(`a[rel="next"]`) != 0 {
			t.Errorf("page 2 of %s links to a page 3", b.path())
		}
	}
	b.step(t, "the category lists one card per dress", func(t *testing.T, b *tab) {
		b.open("/c/"+dresses.Slug+"?sort=price_asc", `[data-testid="product-card"]`)
		listing(t, b, "", "26 products")
		b.open("/c/"+dresses.Slug, `[data-testid="product-card"]`)
		counts := b.attrs(`[data-testid="brand-facet"] input`, "value")
		if !slices.Contains(counts, "Zéphyr") || !slices.Contains(counts, "Maison Lune") {
			t.Fatalf("the brand facet offers %q", counts)
		}
		if got := strings.Join(strings.Fields(b.text(`[data-testid="brand-facet"]`)), " "); !strings.Contains(got, "Maison Lune (13)") || !strings.Contains(got, "Zéphyr (13)") {
			t.Errorf("the brand facet reads %q, want 13 dresses of each brand", got)
		}
		el := `[data-testid="product-card"][data-product-id="` + fmt.Sprint(s.product("D-0-S").ID) + `"]`
		if got := b.text(el + ` .card-title`); got != "Dress Élise" {
			t.Errorf("Élise's card reads %q", got)
		}
		if got := b.text(el + ` [data-testid="price"]`); !strings.HasPrefix(got, "from ") || !strings.Contains(got, "79.90") {
			t.Errorf("Élise's price reads %q, want from 79.90 (L is dearer)", got)
		}
		// Chloé's S is sold out: her card shows a size in stock.
		if b.count(`[data-testid="product-card"][data-product-id="`+fmt.Sprint(s.product("D-1-S").ID)+`"]`) != 0 {
			t.Errorf("Chloé's card shows her sold-out size")
		}
		b.shotWidths("group-category")
	})
	b.step(t, "a search lists one card per dress", func(t *testing.T, b *tab) {
		b.open("/search?q=dress", `[data-testid="product-card"]`)
		listing(t, b, "", "26 results")
		b.open("/search?q=dress", `[data-testid="product-card"]`)
		b.shotWidths("group-search")
	})
	b.step(t, "a colour finds its tee once", func(t *testing.T, b *tab) {
		b.open("/", `#q`)
		b.fill(`#q`, "crimson")
		b.follow(`form.search button[type="submit"]`, `[data-testid="product-card"]`)
		if got := b.attrs(`[data-testid="product-card"]`, "data-product-id"); !slices.Equal(got, []string{fmt.Sprint(s.product("T-C").ID)}) {
			t.Errorf("crimson finds %q, want the crimson tee alone", got)
		}
		if got := b.text(`.card-title`); got != "Tee Lou – Crimson" {
			t.Errorf("its card reads %q", got)
		}
		b.open("/search?q=tee+lou", `[data-testid="product-card"]`)
		if n, got := b.count(`[data-testid="product-card"]`), b.text(`.card-title`); n != 1 || got != "Tee Lou" {
			t.Errorf("tee lou finds %d cards, the first %q; want one, Tee Lou", n, got)
		}
	})
}
