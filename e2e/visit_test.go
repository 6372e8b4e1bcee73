package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
)

// TestMerchandiserLetsAShoppingVisitorsRowComeBeforeTheHero: the locked
// hero's form has the option "let a shopping visitor's own row come first".
// The merchandiser turns it off and publishes: a visitor who opened two
// products still gets the hero first. They turn it on and publish: the same
// visitor's next homepage starts with the row of the category they are
// looking at, the hero right after it, while a new visitor's page still
// starts with the hero.
func TestMerchandiserLetsAShoppingVisitorsRowComeBeforeTheHero(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	ids := s.draftSlotIDs()
	hero := ids[models.SlotHero]
	heroID, err := strconv.ParseUint(hero, 10, 32)
	must(t, err)
	b := newBrowser(t, s)

	// setOption opens the hero's form, sets the option, saves and
	// publishes, and checks the editor and the database.
	setOption := func(t *testing.T, b *tab, on bool) {
		b.open("/admin/layout/slots/"+hero+"/edit", `[data-testid="slot-form"]`)
		box := `[data-testid="visit-first"]`
		if eval[bool](b, `document.querySelector('`+box+`').checked`) != on {
			b.do("tick the option", waitVisible(box), chromedp.Click(chromedp.CSS(box)))
		}
		b.follow(`[data-testid="save-slot"]`, `[data-testid="layout-list"]`)
		if got := b.count(slotItem(hero) + ` [data-testid="tag-visit-first"]`); got != map[bool]int{false: 0, true: 1}[on] {
			t.Fatalf("with the option %v the editor shows %d visit-first tags on the hero", on, got)
		}
		sl, err := s.db.SlotByID(context.Background(), uint(heroID))
		must(t, err)
		if sl.VisitFirst != on || !sl.Locked {
			t.Fatalf("stored hero: locked %v, visit first %v; want locked, %v", sl.Locked, sl.VisitFirst, on)
		}
		b.publishDraft()
	}
	// firstRows is the slot types of the homepage's first three rows.
	firstRows := func(b *tab) string {
		b.open("/", `section[data-slot-id]`)
		types := b.attrs(`section[data-slot-id]`, "data-slot-type")
		return strings.Join(types[:min(3, len(types))], " ")
	}

	b.step(t, "free the rows under the hero and turn the option off", func(t *testing.T, b *tab) {
		b.adminLogIn()
		// The test world locks every row; the recommender may move these.
		for _, typ := range []string{models.SlotRecommended, models.SlotBecauseViewed, models.SlotTrending, models.SlotCategory} {
			b.follow(slotItem(ids[typ])+` [data-testid="toggle-locked"]`, `[data-testid="layout-list"]`)
		}
		b.open("/admin/layout/slots/"+hero+"/edit", `[data-testid="slot-form"]`)
		if !eval[bool](b, `document.querySelector('[data-testid="visit-first"]').checked`) {
			t.Fatal("the seeded hero does not let a shopping visitor's row come first")
		}
		setOption(t, b, false)
	})

	visitor := b.incognito()
	visitor.step(t, "a visitor opens two products; the hero still leads", func(t *testing.T, v *tab) {
		if got := firstRows(v); !strings.HasPrefix(got, models.SlotHero) {
			t.Fatalf("a new visitor's homepage starts with %q, want the hero", got)
		}
		// Two products of the largest category, the way a shopper compares
		// them: enough of it is left for a row after the other rows.
		var biggest struct{ CategoryID uint }
		must(t, s.db.R.Model(&models.Product{}).Select("category_id").Where("active AND stock > 0").
			Group("category_id").Order("COUNT(*) DESC, category_id").Limit(1).Scan(&biggest).Error)
		var two []models.Product
		must(t, s.db.R.Where("active AND stock > 0 AND category_id = ?", biggest.CategoryID).Order("popularity DESC").Limit(2).Find(&two).Error)
		first, second := two[0], two[1]
		for _, p := range []models.Product{first, second} {
			v.open("/p/"+itoa(int(p.ID))+"-"+p.Slug, `[data-testid="product-title"]`)
		}
		eventually(t, 8*time.Second, func() string {
			got := firstRows(v)
			if v.count(`section[data-slot-type="category"] [data-product-id]`) == 0 {
				return "the homepage has no row of the visit's category yet: " + strings.Join(v.attrs(`section[data-slot-id]`, "data-slot-type"), " ")
			}
			if !strings.HasPrefix(got, models.SlotHero+" "+models.SlotCategory) {
				return fmt.Sprintf("with the option off the homepage starts %q, want the hero, then the visit's category", got)
			}
			return ""
		})
	})

	b.step(t, "turn the option on", func(t *testing.T, b *tab) {
		setOption(t, b, true)
	})

	visitor.step(t, "the visitor's rows come first, the hero right after them", func(t *testing.T, v *tab) {
		eventually(t, 8*time.Second, func() string {
			if got := firstRows(v); got != models.SlotCategory+" "+models.SlotCategory+" "+models.SlotHero {
				return fmt.Sprintf("with the option on the homepage starts %q, want the visit's category, the rest of its department, then the hero", got)
			}
			if titles := eval[[]string](v, `Array.from(document.querySelectorAll('section[data-slot-id] h2'), e => e.textContent.trim())`); len(titles) < 2 || !strings.HasPrefix(titles[1], "More in ") {
				return fmt.Sprintf("the rows are titled %q, want the second to show more of the visit's department", titles)
			}
			return ""
		})
		v.shotWidths("home-visit-row-before-hero")
		stranger := v.incognito()
		if got := firstRows(stranger); !strings.HasPrefix(got, models.SlotHero) {
			t.Fatalf("a new visitor's homepage starts with %q, want the hero", got)
		}
		// Back on the homepage without having opened anything, the new
		// visitor has seen the campaign: the rows of products lead, the
		// hero follows them.
		if got := strings.Fields(firstRows(stranger)); len(got) < 2 || got[0] == models.SlotHero || got[1] == models.SlotHero {
			t.Fatalf("a new visitor back without a click gets a homepage starting %q, want rows of products, then the hero", got)
		}
		if n := stranger.count(`section[data-slot-type="hero"]`); n != 1 {
			t.Fatalf("a new visitor back without a click gets %d heroes, want the hero after the rows", n)
		}
		stranger.shotWidths("home-back-without-a-click")
	})
}
