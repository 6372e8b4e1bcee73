package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// personalRows selects the cards of the rows built from the shopper's own
// history, in page order.
const personalRows = `section[data-slot-type="recommended"] [data-product-id], section[data-slot-type="because_viewed"] [data-product-id]`

// TestShoppersWithDifferentTastesGetDifferentRows: two seeded shoppers whose
// behaviour falls mostly in different departments log in side by side; their
// "Recommended for you" rows differ, and the rows built for each of them
// lean to their own department. (The lean is measured over all personal
// rows: a single row is spread over categories on purpose, and a small
// world's favourite leaf category is soon all seen.)
func TestShoppersWithDifferentTastesGetDifferentRows(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	var a, b *taste
	tastes := s.tastes()
	for i := range tastes {
		x := &tastes[i]
		if x.share < 0.6 {
			continue
		}
		if a == nil {
			a = x
		} else if x.dept != a.dept && x.depts[a.dept] == 0 && a.depts[x.dept] == 0 {
			b = x
			break
		}
	}
	if a == nil || b == nil {
		t.Fatal("the seeded world has no two shoppers with clearly different tastes")
	}
	t.Logf("%s likes %s (%.0f%%), %s likes %s (%.0f%%)", a.key, a.dept, 100*a.share, b.key, b.dept, 100*b.share)
	deptOf := s.departmentOf()

	tabA := newBrowser(t, s)
	tabB := tabA.incognito()
	rows := map[string][]string{}     // recommended row
	personal := map[string][]string{} // every personal row
	for _, sh := range []struct {
		who *taste
		tab *tab
	}{{a, tabA}, {b, tabB}} {
		sh.tab.step(t, "homepage of "+sh.who.key, func(t *testing.T, b *tab) {
			b.shopperLogIn(sh.who.email)
			b.open("/", `section[data-slot-type="recommended"] [data-product-id]`)
			if got := b.text(`main section[data-slot-id]:nth-of-type(2) h2`); got != "Recommended for you" {
				t.Fatalf("the first row under the hero is %q, want Recommended for you", got)
			}
			rows[sh.who.key] = b.attrs(`section[data-slot-type="recommended"] [data-product-id]`, "data-product-id")
			personal[sh.who.key] = b.attrs(personalRows, "data-product-id")
			if n := len(rows[sh.who.key]); n < 4 {
				t.Fatalf("recommended row has %d products, want at least 4", n)
			}
			b.shot("home-" + sh.who.key + "-likes-" + sh.who.dept)
		})
	}

	rowA, rowB := rows[a.key], rows[b.key]
	shared := 0
	for _, id := range rowA {
		if slices.Contains(rowB, id) {
			shared++
		}
	}
	t.Logf("%s and %s share %d of %d recommended products", a.key, b.key, shared, len(rowA))
	if shared > len(rowA)/2 {
		t.Errorf("%s and %s share %d of %d recommended products: %v and %v", a.key, b.key, shared, len(rowA), rowA, rowB)
	}
	for _, c := range []struct{ who, other *taste }{{a, b}, {b, a}} {
		mine, theirs := personal[c.who.key], personal[c.other.key]
		own, seen := countIn(mine, deptOf, c.who.dept), countIn(theirs, deptOf, c.who.dept)
		t.Logf("%s products: %d of %s's %d personal cards, %d of %s's", c.who.dept, own, c.who.key, len(mine), seen, c.other.key)
		if own < 4 || own < 2*seen {
			t.Errorf("%s's personal rows hold %d of %d products from %s (their taste), %s's hold %d; want clearly more for %s",
				c.who.key, own, len(mine), c.who.dept, c.other.key, seen, c.who.key)
		}
	}
}

// TestViewsOfACategoryMoveItUpTheHomepage: a shopper who never looked at a
// department browses it and opens a few of its products; their next
// homepage offers that department's products earlier and more often, with a
// "Because you viewed" row naming one of them.
func TestViewsOfACategoryMoveItUpTheHomepage(t *testing.T) {
	t.Parallel()
	s := startWorld(t)
	var sh *taste
	tastes := s.tastes()
	for i := range tastes {
		if tastes[i].share >= 0.6 {
			sh = &tastes[i]
			break
		}
	}
	if sh == nil {
		t.Fatal("the seeded world has no shopper with a clear taste")
	}
	// The biggest department the shopper never touched.
	var dept string
	for _, d := range s.departments() {
		if sh.depts[d] == 0 {
			dept = d
			break
		}
	}
	if dept == "" {
		t.Fatalf("%s has looked at every department", sh.key)
	}
	t.Logf("%s likes %s and now browses %s", sh.key, sh.dept, dept)
	deptOf := s.departmentOf()

	// first is the place of the first card of dept among the personal rows,
	// or len(cards) when there is none.
	first := func(cards []string) int {
		if i := slices.IndexFunc(cards, func(id string) bool { return deptOf[id] == dept }); i >= 0 {
			return i
		}
		return len(cards)
	}

	b := newBrowser(t, s)
	var before []string
	var beforeRecommended int
	b.step(t, "the homepage before", func(t *testing.T, b *tab) {
		b.shopperLogIn(sh.email)
		b.open("/", `section[data-slot-type="recommended"] [data-product-id]`)
		before = b.attrs(personalRows, "data-product-id")
		beforeRecommended = countIn(b.attrs(`section[data-slot-type="recommended"] [data-product-id]`, "data-product-id"), deptOf, dept)
	})

	viewed := map[string]bool{} // titles
	b.step(t, "browse the department and open five products", func(t *testing.T, b *tab) {
		b.open("/c/"+dept, `.grid [data-product-id] a.card-link`)
		links := b.attrs(`.grid [data-product-id] a.card-link`, "href")
		if len(links) < 5 {
			t.Fatalf("/c/%s lists %d products, want at least 5", dept, len(links))
		}
		for _, href := range links[:5] {
			b.open(href, `[data-testid="product-title"]`)
			viewed[b.text(`[data-testid="product-title"]`)] = true
		}
	})

	b.step(t, "the next homepage offers the department earlier and more", func(t *testing.T, b *tab) {
		var after []string
		// Views reach the database through the event writer, a moment later.
		eventually(t, 8*time.Second, func() string {
			b.open("/", `section[data-slot-type="recommended"] [data-product-id]`)
			if b.count(`section[data-slot-type="because_viewed"] h2`) == 0 {
				return "the homepage has no because-you-viewed row"
			}
			title := b.text(`section[data-slot-type="because_viewed"] h2`)
			if anchor, _ := strings.CutPrefix(title, "Because you viewed "); !viewed[anchor] {
				return fmt.Sprintf("the first because-you-viewed row is %q, not about a product just viewed", title)
			}
			return ""
		})
		after = b.attrs(personalRows, "data-product-id")
		nb, na := countIn(before, deptOf, dept), countIn(after, deptOf, dept)
		t.Logf("%s products in the personal rows: %d of %d before, %d of %d after; first at %d, then %d; in the recommended row %d, then %d",
			dept, nb, len(before), na, len(after), first(before), first(after),
			beforeRecommended, countIn(b.attrs(`section[data-slot-type="recommended"] [data-product-id]`, "data-product-id"), deptOf, dept))
		if na < nb+4 {
			t.Errorf("the personal rows hold %d %s products after the views, %d before; want at least 4 more", na, dept, nb)
		}
		if first(after) >= first(before) {
			t.Errorf("the first %s product is card %d of the personal rows after the views, %d before; want it earlier", dept, first(after), first(before))
		}
		b.shot("home-after-browsing-" + dept)
	})
}
