package e2e

import (
	"fmt"
	"strings"
	"testing"

	"storefront/models"
)

// leafOf maps product ids (as cards print them) to their category's slug.
func (s *shop) leafOf() map[string]string {
	s.t.Helper()
	var rows []struct {
		ID   uint
		Slug string
	}
	must(s.t, s.db.R.Raw(`SELECT p.id, c.slug FROM products p JOIN categories c ON c.id = p.category_id`).Scan(&rows).Error)
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[fmt.Sprint(r.ID)] = r.Slug
	}
	return out
}

// TestInterestsControlsChangeTheHomepage: a seeded shopper with a clear
// taste opens "What we think you like" from their account, sees their
// favourite category with the products that show it, and uses each control
// in turn (remove an interest, remove an item from the history, reset);
// after each, the next homepage follows.
func TestInterestsControlsChangeTheHomepage(t *testing.T) {
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
	leaf := s.leafOf()
	b := newBrowser(t, s)

	var interests []string // category slugs, strongest first
	b.step(t, "open the page from the account", func(t *testing.T, b *tab) {
		b.shopperLogIn(sh.email)
		b.open("/account", `[data-testid="interests-link"]`)
		b.follow(`[data-testid="interests-link"]`, `[data-testid="interest"]`)
		interests = b.attrs(`[data-testid="interest"][data-kind="category"]`, "data-value")
		if n := b.count(`[data-testid="interest"][data-kind="category"]:first-child .evidence a`); n == 0 {
			t.Fatalf("the top interest %s shows no evidence", interests[0])
		}
		if b.count(`[data-testid="history"] [data-product-id]`) == 0 || !strings.Contains(b.text(`[data-testid="interest-price"]`), "$") {
			t.Fatal("no history or no price range")
		}
		b.shot("interests-" + sh.key)
	})

	personal := func(b *tab) []string {
		b.open("/", `section[data-slot-id]`)
		return b.attrs(personalRows, "data-product-id")
	}
	b.step(t, "a reason links to the page", func(t *testing.T, b *tab) {
		b.open("/", `section[data-slot-type="recommended"] [data-product-id]`)
		link := `section[data-slot-type="recommended"] a[href="/account/interests"]`
		if b.count(link) == 0 {
			t.Fatal("no reason in the recommended row links to the interests page")
		}
		b.follow(link, `[data-testid="interest"]`)
	})

	b.step(t, "remove the interest the homepage shows most", func(t *testing.T, b *tab) {
		cards := personal(b)
		var top string
		before := 0
		for _, slug := range interests {
			if n := countLeaf(cards, leaf, slug); n > before {
				top, before = slug, n
			}
		}
		if before == 0 {
			t.Fatalf("the homepage's personal rows show nothing of the interests %v", interests)
		}
		b.open("/account/interests", `[data-testid="interest"]`)
		b.follow(`[data-testid="interest"][data-value="`+top+`"] [data-testid="remove-interest"]`, `[data-testid="flash"]`)
		if b.count(`[data-testid="interest"][data-value="`+top+`"]`) != 0 {
			t.Fatalf("%s is still listed", top)
		}
		after := countLeaf(personal(b), leaf, top)
		t.Logf("personal cards from %s: %d before, %d after", top, before, after)
		if after >= before {
			t.Fatalf("the homepage shows %d products from the removed interest %s, before %d", after, top, before)
		}
		for _, anchor := range b.attrs(`section[data-slot-type="because_viewed"]`, "data-anchor") {
			if leafOfExt(s, anchor) == top {
				t.Fatalf("a row is still anchored on %s from the removed category", anchor)
			}
		}
		// It is listed as removed, and can be shown again.
		b.open("/account/interests", `[data-testid="hidden-interests"]`)
		b.follow(`[data-testid="hidden-interests"] [data-value="category:`+top+`"] [data-testid="show-interest"]`, `[data-testid="flash"]`)
		if b.count(`[data-testid="hidden-interests"] [data-value="category:`+top+`"]`) != 0 {
			t.Fatalf("%s is still hidden after showing it again", top)
		}
	})

	b.step(t, "a shopper who hid as many interests as the shop keeps is told so", func(t *testing.T, b *tab) {
		full := make([]string, models.MaxHiddenInterests)
		for i := range full {
			full[i] = fmt.Sprintf("brand:Hidden %03d", i)
		}
		setHidden := func(v string) {
			must(t, s.db.W.Model(&models.Shopper{}).Where("email = ?", sh.email).Update("hidden_interests", v).Error)
		}
		setHidden(strings.Join(full, "\n"))
		defer setHidden("")
		b.open("/account/interests", `[data-testid="interest"]`)
		first := b.attrs(`[data-testid="interest"]`, "data-value")[0]
		b.follow(`[data-testid="interest"][data-value="`+first+`"] [data-testid="remove-interest"]`, `[data-testid="flash"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Show one of them again") {
			t.Fatalf("the page says %q, want that the list of removed interests is full", got)
		}
		if b.count(`[data-testid="interest"][data-value="`+first+`"]`) != 1 {
			t.Fatalf("%s was removed although the list is full", first)
		}
	})

	b.step(t, "remove an item from the history", func(t *testing.T, b *tab) {
		b.open("/", `section[data-slot-type="recently_viewed"] [data-product-id]`)
		latest := b.attrs(`section[data-slot-type="recently_viewed"] [data-product-id]`, "data-product-id")[0]
		b.open("/account/interests", `[data-testid="history"]`)
		b.follow(`[data-testid="history"] [data-product-id="`+latest+`"] [data-testid="forget-item"]`, `[data-testid="flash"]`)
		if b.count(`[data-testid="history"] [data-product-id="`+latest+`"]`) != 0 {
			t.Fatalf("product %s is still in the history", latest)
		}
		b.open("/", `section[data-slot-id]`)
		if got := b.attrs(`section[data-slot-type="recently_viewed"] [data-product-id]`, "data-product-id"); len(got) > 0 && got[0] == latest {
			t.Fatalf("the homepage still shows product %s first among recently viewed", latest)
		}
	})

	b.step(t, "reset everything", func(t *testing.T, b *tab) {
		b.open("/account/interests", `[data-testid="reset-interests"]`)
		b.follow(`[data-testid="reset-interests"]`, `[data-testid="interests-empty"]`)
		b.open("/", `section[data-slot-id]`)
		if n := b.count(`section[data-slot-type="recently_viewed"], section[data-slot-type="because_viewed"]`); n != 0 {
			t.Fatalf("after a reset the homepage has %d rows built from history", n)
		}
		for _, h := range eval[[]string](b, `Array.from(document.querySelectorAll("section[data-slot-id] h2, [data-testid=row-reason]"), e => e.textContent)`) {
			if strings.Contains(strings.ToLower(h), "for you") {
				t.Fatalf("after a reset a row still says %q", h)
			}
		}
	})
}

func countLeaf(ids []string, leaf map[string]string, slug string) int {
	n := 0
	for _, id := range ids {
		if leaf[id] == slug {
			n++
		}
	}
	return n
}

func leafOfExt(s *shop, ext string) string {
	var slug string
	must(s.t, s.db.R.Raw(`SELECT c.slug FROM products p JOIN categories c ON c.id = p.category_id WHERE p.external_id = ?`, ext).Scan(&slug).Error)
	return slug
}
