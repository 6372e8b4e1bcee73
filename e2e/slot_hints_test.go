package e2e

import (
	"slices"
	"strings"
	"testing"

	"storefront/models"
)

// TestTheSlotFormSpeaksOfTheShopsOwnCatalog: in a grocery shop the slot
// form's hints and its link error name the shop's own category pages and
// brands, never another shop's examples ("/c/outdoor", "Summit, Hearth").
func TestTheSlotFormSpeaksOfTheShopsOwnCatalog(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		for old, slug := range map[string]string{"outdoor": "produce", "kitchen": "bakery", "garden": "dairy"} {
			must(t, db.W.Model(&models.Category{}).Where("slug = ?", old).Update("slug", slug).Error)
		}
		must(t, db.W.Model(&models.Product{}).Where("brand = ?", "Summit").Update("brand", "Oatly").Error)
		must(t, db.W.Model(&models.Product{}).Where("brand <> ?", "Oatly").Update("brand", "Fazer").Error)
	})
	b := newAdmin(t, s)

	b.step(t, "the hints and the link error use the shop's categories and brands", func(t *testing.T, b *tab) {
		b.open("/admin/layout/slots/new", `[data-testid="slot-form"]`)
		link := eval[string](b, `document.querySelector('#f-link').placeholder`)
		if !slices.Contains([]string{"/c/produce", "/c/bakery", "/c/dairy"}, link) {
			t.Errorf("the link's hint is %q, want one of the shop's category pages", link)
		}
		brands := eval[string](b, `document.querySelector('#f-brands').placeholder`)
		if brands != "Oatly, Fazer" && brands != "Fazer, Oatly" {
			t.Errorf("the brands' hint is %q, want the shop's brands", brands)
		}
		b.fill(`#f-title`, "Fresh picks", `#f-link`, "javascript:alert(1)")
		b.follow(`[data-testid="save-slot"]`, `[data-testid="form-errors"]`)
		b.shotWidths("admin-slot-hints-own-catalog")
		if got := b.text(`#f-link ~ .field-error`); !strings.Contains(got, link) || strings.Contains(got, "outdoor") {
			t.Errorf("the link error reads %q, want the shop's own example %s", got, link)
		}
	})
}
