package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// The admin's forms, one test each: the merchandiser submits the form in the
// browser and the test checks its effect where a merchandiser or a shopper
// would see it, and in the database.

// TestMerchandiserEditsAnExistingSlot: the edit form of a saved slot saves
// the new title and size (it once posted to an address with a trailing
// slash, was redirected as a GET and lost the edit); the editor and the
// reopened form show the change, and after publishing shoppers see it.
func TestMerchandiserEditsAnExistingSlot(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	trending := s.draftSlotIDs()[models.SlotTrending]
	id, err := strconv.ParseUint(trending, 10, 32)
	must(t, err)
	b := newBrowser(t, s)

	b.step(t, "open the slot's edit form from the editor", func(t *testing.T, b *tab) {
		b.adminLogIn()
		b.follow(slotItem(trending)+` [data-testid="slot-title"]`, `[data-testid="slot-form"]`)
		if got := b.value(`#f-title`); got != "Trending now" {
			t.Fatalf("the edit form shows title %q, want Trending now", got)
		}
	})

	b.step(t, "change the title and size and save", func(t *testing.T, b *tab) {
		b.fill(`#f-title`, "Hot this week", `#f-size`, "5")
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		if got := b.path(); got != "/admin/layout" {
			t.Fatalf("saving landed on %q, want /admin/layout", got)
		}
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Hot this week") {
			t.Fatalf("no confirmation of the save, flash %q", got)
		}
		if got := b.text(slotItem(trending) + ` [data-testid="slot-title"]`); got != "Hot this week" {
			t.Fatalf("the editor lists the slot as %q", got)
		}
		if got := b.text(`[data-testid="pending"]`); !strings.Contains(got, "Hot this week") && !strings.Contains(got, "hanged") {
			t.Fatalf("unpublished changes %q do not mention the edit", got)
		}
	})

	b.step(t, "the saved values are in the database and the form", func(t *testing.T, b *tab) {
		sl, err := s.db.SlotByID(context.Background(), uint(id))
		must(t, err)
		if sl.Title != "Hot this week" || sl.Size != 5 {
			t.Fatalf("stored slot has title %q and size %d", sl.Title, sl.Size)
		}
		b.open("/admin/layout/slots/"+trending+"/edit", `[data-testid="slot-form"]`)
		if got, size := b.value(`#f-title`), b.value(`#f-size`); got != "Hot this week" || size != "5" {
			t.Fatalf("the reopened form shows title %q and size %q", got, size)
		}
	})

	b.step(t, "publish, and a shopper sees the new title and size", func(t *testing.T, b *tab) {
		b.open("/admin/layout", `[data-testid="layout-list"]`)
		b.follow(`[data-testid="publish"]`, `[data-testid="layout-list"]`)
		shopper := b.incognito()
		eventually(t, 8*time.Second, func() string {
			shopper.open("/", `section[data-slot-id]`)
			sel := `section[data-slot-id="` + trending + `"]`
			if shopper.count(sel) == 0 {
				return "the homepage has no trending row"
			}
			if got := shopper.text(sel + ` h2`); got != "Hot this week" {
				return "the trending row is titled " + strconv.Quote(got)
			}
			if n := shopper.count(sel + ` [data-product-id]`); n == 0 || n > 5 {
				return "the trending row shows " + strconv.Itoa(n) + " cards, want 1 to 5"
			}
			return ""
		})
	})
}
