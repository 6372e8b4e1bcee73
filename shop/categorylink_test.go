package shop

import (
	"testing"

	"storefront/models"
	"storefront/recommender"
)

// TestARowOfATypeAcrossBrandsLinksToAllOfThem: a department store files
// its categories under brands ("Bexley > Shoes", "Corvin > Shoes"), and
// the recommender reads a type its shoppers follow across brands as one
// category, "Shoes". The heading of that row ("Top picks in Shoes") led
// to one brand's shoes, whichever the catalog's map met first; it leads
// to a search for shoes, which lists every brand's. A row of a category
// the recommender knows by its path, or of a name filed once, still leads
// to its page.
func TestARowOfATypeAcrossBrandsLinksToAllOfThem(t *testing.T) {
	bexley, corvin := uint(1), uint(2)
	cats := []models.Category{{ID: 1, Name: "Bexley", Slug: "bexley"}, {ID: 2, Name: "Corvin", Slug: "corvin"},
		{ID: 3, Name: "Shoes", Slug: "bexley-shoes", ParentID: &bexley}, {ID: 4, Name: "Shoes", Slug: "corvin-shoes", ParentID: &corvin},
		{ID: 5, Name: "Hats", Slug: "bexley-hats", ParentID: &bexley}}
	c := BuildCatalog(cats, nil)
	for name, want := range map[string]string{
		"Shoes":          "/search?q=Shoes",
		"Bexley > Shoes": "/c/bexley-shoes",
		"Hats":           "/c/bexley-hats",
		"Boots":          "",
	} {
		row := &models.Slot{Type: models.SlotCategory, Enabled: true}
		in := composeInput{cat: c, bySpec: map[string]*models.Slot{"row": row}}
		slots := in.homeSlots([]recommender.ComposedSlot{{Spec: &recommender.SlotSpec{ID: "row", Category: name}, Title: "Top picks in " + name}}, true)
		if len(slots) != 1 {
			t.Fatalf("the row of %q: %d slots", name, len(slots))
		}
		if slots[0].Link != want {
			t.Errorf("the row of %q leads to %q, want %q", name, slots[0].Link, want)
		}
	}
}
