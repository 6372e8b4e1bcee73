package e2e

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"storefront/models"
	"storefront/web"
)

// A merchant's own catalog holds what the demo world never has: free
// products (an import takes a price of 0), products without a brand, long
// supplier titles. These tests walk such a shop as its shoppers and staff.

// TestAFreeProductIsOrdered: a shopper orders a free product (a sticker
// pack the catalog prices at 0): checkout asks for no payment, the order is
// placed at 0 and the stock falls.
func TestAFreeProductIsOrdered(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	must(t, s.db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-10").Update("price_cents", 0).Error)
	free := s.product("SKU-10")
	b := newBrowser(t, s)

	b.step(t, "reach checkout with the free product", func(t *testing.T, b *tab) {
		b.checkOut(free, "ada@example.com")
		if got := b.text(`[data-testid="place-order"]`); got != "Place order" {
			t.Fatalf("the button of a free order reads %q", got)
		}
	})

	b.step(t, "the order is placed", func(t *testing.T, b *tab) {
		b.fill(`#street`, "Straße des 17. Juni 135", `#city`, "Berlin", `#postcode`, "10623", `#country`, "Germany")
		b.follow(`[data-testid="place-order"]`, `[data-testid="order-confirmed"]`)
		if got := b.text(`[data-testid="order"]`); !strings.Contains(got, "Berlin") || !strings.Contains(got, "$0.00") {
			t.Fatalf("confirmation %q", got)
		}
		if got := b.text(`[data-testid="order-note"]`); strings.Contains(got, "payment") {
			t.Fatalf("the confirmation of a free order speaks of a payment: %q", got)
		}
		if n := s.orderCount(); n != 1 {
			t.Fatalf("%d orders, want 1", n)
		}
		if got := s.product("SKU-10").Stock; got != free.Stock-1 {
			t.Fatalf("stock %d after the order, want %d", got, free.Stock-1)
		}
	})
}

// TestAFreeProductsStockIsEdited: the merchant restocks and then
// deactivates a free product in the catalog; both edits are saved, and the
// price stays 0.
func TestAFreeProductsStockIsEdited(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	must(t, s.db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-10").Update("price_cents", 0).Error)
	free := s.product("SKU-10")
	row := `[data-testid="catalog-row"][data-product-id="` + strconv.FormatUint(uint64(free.ID), 10) + `"]`
	b := newAdmin(t, s)

	b.step(t, "restock", func(t *testing.T, b *tab) {
		b.open("/admin/catalog?q=SKU-10", row)
		if got := b.value(row + ` input[name="price"]`); got != "0.00" {
			t.Fatalf("the price field reads %q", got)
		}
		b.fill(row+` input[name="stock"]`, "250")
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="catalog"]`)
		if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "Saved") {
			t.Fatalf("flash %q\n%s", got, b.where())
		}
		if p := s.product("SKU-10"); p.Stock != 250 || p.PriceCents != 0 {
			t.Fatalf("stored stock %d, price %d; want 250 at 0", p.Stock, p.PriceCents)
		}
	})

	b.step(t, "deactivate", func(t *testing.T, b *tab) {
		b.open("/admin/catalog?q=SKU-10", row)
		b.do("untick active", chromedp.Click(chromedp.CSS(row+` input[name="active"]`)))
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="flash"]`)
		if s.product("SKU-10").Active {
			t.Fatal("the free product is still active")
		}
	})
}

// TestALongTitleKeepsItsRowShort: a supplier's title of two hundred
// characters is cut to six lines on its card, at 1280 and 390 px, so
// the row's cards keep the height of their neighbours; the whole title is
// still the card's text and its tooltip.
func TestALongTitleKeepsItsRowShort(t *testing.T) {
	t.Parallel()
	long := "Pruning Shears with an unusually long name that goes on describing the blade steel, the grip, the spring, " +
		"the lock, the sizes of branch it cuts and whatever else the supplier thought worth putting in a title field"
	s := startShop(t, func(db *models.DB) {
		must(t, db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-10").Update("title", long).Error)
	})
	id := strconv.FormatUint(uint64(s.product("SKU-10").ID), 10)
	card := `[data-testid="product-card"][data-product-id="` + id + `"]`
	b := newBrowser(t, s)
	for _, width := range []int64{1280, 390} {
		b.do("resize", chromedp.EmulateViewport(width, 900))
		b.open("/c/garden", card)
		b.screenshot("long-title-" + strconv.FormatInt(width, 10))
		lines := eval[float64](b, `(() => { const e = document.querySelector('`+card+` .card-title');
			return e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight); })()`)
		if lines > 6.05 {
			t.Errorf("at %d px the long title takes %.1f lines, want at most 6", width, lines)
		}
		if got := b.text(card + ` .card-title`); got != long {
			t.Errorf("at %d px the card's title text is %q", width, got)
		}
		if got := eval[string](b, `document.querySelector('`+card+` .card-title').title`); got != long {
			t.Errorf("the card's tooltip is %q", got)
		}
	}
}

// TestProductsWithoutABrandAreAFilterChoice: a category whose catalog
// leaves some brands empty offers "No brand" as the last brand choice,
// with its count, and choosing it shows only those products.
func TestProductsWithoutABrandAreAFilterChoice(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		must(t, db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-9").Update("brand", "").Error)
	})
	hose := s.product("SKU-9")
	b := newBrowser(t, s)
	b.open("/c/garden", `[data-testid="brand-facet"]`)
	b.screenshot("no-brand-facet")
	labels := eval[[]string](b, `[...document.querySelectorAll('[data-testid="brand-facet"] label')].map(l => l.innerText.replace(/\s+/g, ' ').trim())`)
	if len(labels) != 2 || labels[0] != "Greenway (1)" || labels[1] != "No brand (1)" {
		t.Fatalf("brand choices %q, want [Greenway (1) No brand (1)]", labels)
	}
	b.do("choose no brand", chromedp.Click(chromedp.CSS(`[data-testid="brand-facet"] label:last-of-type input`)))
	b.follow(`[data-testid="filters"] button[type="submit"]`, `[data-testid="result-count"]`)
	ids := eval[[]string](b, `[...document.querySelectorAll('[data-testid="product-card"]')].map(c => c.dataset.productId)`)
	if len(ids) != 1 || ids[0] != strconv.FormatUint(uint64(hose.ID), 10) {
		t.Fatalf("products shown for no brand: %v, want only the hose (%d)", ids, hose.ID)
	}
}

// TestRegisteringAfterAnImportOfLookAlikeIDs: the shop's imported events
// name a customer "s3", the form a registration's id takes. A shopper who
// then registers gets an account of their own, and the next one too (the
// form answered 500 to everyone once the next id was an imported one's).
func TestRegisteringAfterAnImportOfLookAlikeIDs(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		must(t, db.Bulk(context.Background(), func(b *models.BulkTx) error {
			_, err := b.EnsureShoppers([]string{"s3"})
			return err
		}))
	})
	b := newBrowser(t, s)
	for i, email := range []string{"grace@example.com", "alan@example.com"} {
		b.step(t, "register "+email, func(t *testing.T, b *tab) {
			if i > 0 {
				b = b.incognito()
			}
			b.open("/register", `#name`)
			b.fill(`#name`, "New Shopper", `#email`, email, `#password`, "violet kettle harbour 42")
			b.follow(`[data-testid="auth-submit"]`, `[data-testid="account-link"]`)
			var sh models.Shopper
			must(t, s.db.W.Where("email = ?", email).First(&sh).Error)
			if sh.ExternalID == "s3" {
				t.Fatalf("%s took over the imported customer s3", email)
			}
		})
	}
}

// TestACatalogEditKeepsTheStockSoldMeanwhile: the merchandiser opens the
// catalog at a stock of 20; shoppers buy 3 before they change the price and
// save. The stock stays 17 (writing the 20 the page showed back would sell
// three units the shop no longer has). When they change the stock too,
// they are told it moved meanwhile and what it is now, and their count is
// saved when they save again.
func TestACatalogEditKeepsTheStockSoldMeanwhile(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	tent := s.product("SKU-2")
	row := `[data-testid="catalog-row"][data-product-id="` + strconv.FormatUint(uint64(tent.ID), 10) + `"]`
	sell := func(n int) {
		must(t, s.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update("stock", s.product("SKU-2").Stock-n).Error)
	}
	b := newAdmin(t, s)

	b.step(t, "a new price keeps the stock sold meanwhile", func(t *testing.T, b *tab) {
		b.open("/admin/catalog?q=SKU-2", row)
		if got := b.value(row + ` input[name="stock"]`); got != "20" {
			t.Fatalf("the stock field reads %q", got)
		}
		sell(3)
		b.fill(row+` input[name="price"]`, "119,50")
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="flash"]`)
		if p := s.product("SKU-2"); p.Stock != 17 || p.PriceCents != 11950 {
			t.Fatalf("stored stock %d, price %d; want 17 at 11950", p.Stock, p.PriceCents)
		}
	})

	b.step(t, "a stock count over a sale is checked first", func(t *testing.T, b *tab) {
		b.open("/admin/catalog?q=SKU-2", row)
		sell(2)
		b.fill(row+` input[name="stock"]`, "40")
		b.follow(row+` [data-testid="save-product"]`, row+` [data-testid="stock-error"]`)
		if got := b.text(row + ` [data-testid="stock-error"]`); !strings.Contains(got, "15 now") {
			t.Fatalf("the stock error says %q", got)
		}
		if p := s.product("SKU-2"); p.Stock != 15 {
			t.Fatalf("stored stock %d after the refused save, want 15", p.Stock)
		}
		if got := b.value(row + ` input[name="stock"]`); got != "40" {
			t.Fatalf("the stock field lost the typed count: %q", got)
		}
		b.follow(row+` [data-testid="save-product"]`, `[data-testid="flash"]`)
		if p := s.product("SKU-2"); p.Stock != 40 || p.PriceCents != 11950 {
			t.Fatalf("stored stock %d, price %d after saving again; want 40 at 11950", p.Stock, p.PriceCents)
		}
	})
}

// TestSearchingAnItemNumber: a shopper types the item number a product page
// shows into the search box, in lower case, and lands on that product's
// page instead of "nothing matched".
func TestSearchingAnItemNumber(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	p := s.product("SKU-6")
	b := newBrowser(t, s)
	b.open(web.ProductURL(p), `[data-testid="product-details"]`)
	if got := b.text(`[data-testid="product-details"]`); !strings.Contains(got, "Item number SKU-6") {
		t.Fatalf("the details read %q", got)
	}
	b.open("/", `#q`)
	b.fill(`#q`, "sku-6")
	b.follow(`form.search button[type="submit"]`, `[data-testid="product-title"]`)
	if got := b.path(); got != web.ProductURL(p) {
		t.Fatalf("searching the item number landed on %q, want %q", got, web.ProductURL(p))
	}
	if got := b.text(`[data-testid="product-title"]`); got != p.Title {
		t.Fatalf("the page shows %q, want %q", got, p.Title)
	}
}

// TestSearchingWithoutAccents: a French shop's shopper types as on any
// keyboard, without accents, and a brand's word after its apostrophe; the
// search form finds the products their catalog spells "Élise", "émaillée"
// and "L'Atelier du Nord".
func TestSearchingWithoutAccents(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		must(t, db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-7").
			Updates(map[string]any{"title": "Cocotte « Élise » émaillée", "brand": "L'Atelier du Nord"}).Error)
	})
	b := newBrowser(t, s)
	for _, q := range []string{"cocotte elise", "emaillee", "atelier"} {
		b.open("/", `#q`)
		b.fill(`#q`, q)
		b.follow(`form.search button[type="submit"]`, `h1`)
		if b.count(`[data-testid="result-count"]`) == 0 {
			t.Fatalf("searching %q finds nothing\n%s", q, b.where())
		}
		if got := b.text(`.card-title`); got != "Cocotte « Élise » émaillée" {
			t.Fatalf("searching %q: the first result is %q\n%s", q, got, b.where())
		}
		for _, sel := range []string{`[data-testid="corrected"]`, `[data-testid="unknown-words"]`} {
			if b.count(sel) != 0 {
				t.Errorf("searching %q: %s", q, b.text(sel))
			}
		}
	}
}

// TestSearchingAWordInsideAJapaneseTitle: Japanese writes no spaces between
// words, so a shop's title "進撃の巨人 第3巻" was one word to the search, and a
// shopper typing 進撃 (or 巨人) found nothing. The search form finds it.
func TestSearchingAWordInsideAJapaneseTitle(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		must(t, db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-7").
			Updates(map[string]any{"title": "進撃の巨人 第3巻", "brand": "講談社"}).Error)
		must(t, db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-9").
			Updates(map[string]any{"title": "Η Θάλασσα του Νησιού", "brand": "Πατάκης"}).Error)
	})
	b := newBrowser(t, s)
	for q, want := range map[string]string{"進撃": "進撃の巨人 第3巻", "巨人": "進撃の巨人 第3巻", "進撃の巨人": "進撃の巨人 第3巻",
		"θαλασσα": "Η Θάλασσα του Νησιού"} { // Greek typed without its accents, uncorrected
		b.open("/", `#q`)
		b.fill(`#q`, q)
		b.follow(`form.search button[type="submit"]`, `h1`)
		if b.count(`[data-testid="result-count"]`) == 0 {
			t.Fatalf("searching %q finds nothing\n%s", q, b.where())
		}
		if got := b.text(`.card-title`); got != want {
			t.Fatalf("searching %q: the first result is %q\n%s", q, got, b.where())
		}
		for _, sel := range []string{`[data-testid="corrected"]`, `[data-testid="unknown-words"]`} {
			if b.count(sel) != 0 {
				t.Errorf("searching %q: %s", q, b.text(sel))
			}
		}
	}
}

// TestSoldOutProductsComeLastInACategory: an imported shop's best sellers
// are often the ones sold out, and a category page led with them. The
// kitchen's best seller is sold out: the page, its filter form and its
// orders list the products a shopper can buy first.
func TestSoldOutProductsComeLastInACategory(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		must(t, db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-6").Update("stock", 0).Error)
	})
	b := newBrowser(t, s)
	titles := func() []string {
		return eval[[]string](b, `Array.from(document.querySelectorAll('[data-testid="product-card"]')).map(c =>
			c.querySelector('.card-title').innerText + (c.querySelector('.stock.out') ? " (sold out)" : ""))`)
	}
	want := "Enamel Dutch Oven,Cast Iron Skillet (sold out),Chef Knife (sold out)"
	b.open("/c/kitchen", `[data-testid="result-count"]`)
	if got := strings.Join(titles(), ","); got != want {
		t.Fatalf("the kitchen lists %s, want %s", got, want)
	}
	b.do("choose Hearth", chromedp.Click(chromedp.CSS(`input[name="brand"][value="Hearth"]`)))
	b.follow(`[data-testid="filters"] button[type="submit"]`, `[data-testid="result-count"]`)
	if got := strings.Join(titles(), ","); got != want {
		t.Fatalf("Hearth in the kitchen lists %s, want %s", got, want)
	}
	b.follow(`.sorts a[href*="sort=price_desc"]`, `[data-testid="result-count"]`)
	if got, want := strings.Join(titles(), ","), "Enamel Dutch Oven,Chef Knife (sold out),Cast Iron Skillet (sold out)"; got != want {
		t.Fatalf("by price, high to low: %s, want %s", got, want)
	}
}

// TestThePriceFilterSaysWhatIsWrong: a shopper types a range the wrong way
// round, then a price with letters; the filter form says which mistake it
// was (it said "Enter prices as whole numbers" for both, though cents such
// as 12.50 are taken), and a range with cents filters.
func TestThePriceFilterSaysWhatIsWrong(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newBrowser(t, s)
	b.open("/c/outdoor", `[data-testid="filters"]`)
	for _, tc := range []struct{ min, max, want string }{
		{"50", "10", "The minimum is above the maximum: enter the lower price under Min."},
		{"24.50", "25", ""},
	} {
		b.fill(`input[name="min"]`, tc.min, `input[name="max"]`, tc.max)
		b.follow(`[data-testid="filters"] button[type="submit"]`, `[data-testid="result-count"]`)
		got := ""
		if b.count(`[data-testid="filters"] .field-error`) > 0 {
			got = b.text(`[data-testid="filters"] .field-error`)
		}
		if got != tc.want {
			t.Fatalf("min %s, max %s: the form says %q, want %q", tc.min, tc.max, got, tc.want)
		}
	}
	if got := b.text(`[data-testid="result-count"]`); got != "1 product" {
		t.Fatalf("$24.50 to $25 lists %q, want the Trail Lantern alone", got)
	}
	b.open("/c/outdoor?min=ten", `[data-testid="filters"]`)
	if got := b.text(`[data-testid="filters"] .field-error`); got != "Enter prices as numbers, such as 10 or 12.50." {
		t.Fatalf("a price in letters: %q", got)
	}
}

// TestTitlesInGreekAndJapaneseSayTheirLanguage: a bookshop sells Greek and
// Japanese books on an English page. Their titles and brands carry their
// language, so a screen reader reads them in it and the upper-cased Greek
// brand drops its accents as Greek does (the card read ΠΑΤΆΚΗΣ).
func TestTitlesInGreekAndJapaneseSayTheirLanguage(t *testing.T) {
	t.Parallel()
	s := startShop(t, func(db *models.DB) {
		must(t, db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-6").
			Updates(map[string]any{"title": "Η Θάλασσα του Νησιού", "brand": "Πατάκης"}).Error)
		must(t, db.W.Model(&models.Product{}).Where("external_id = ?", "SKU-7").
			Updates(map[string]any{"title": "海辺のカフカ 第3巻", "brand": "新潮社"}).Error)
	})
	b := newBrowser(t, s)
	b.open("/c/kitchen", `[data-testid="result-count"]`)
	card := func(title string) map[string]string {
		return eval[map[string]string](b, `(() => { const c = Array.from(document.querySelectorAll('[data-testid="product-card"]')).find(c => c.querySelector('.card-title').textContent === `+strconv.Quote(title)+`);
			return {brand: c.querySelector('.card-brand').innerText, brandLang: c.querySelector('.card-brand').lang, titleLang: c.querySelector('.card-title').lang}; })()`)
	}
	if got := card("Η Θάλασσα του Νησιού"); got["brand"] != "ΠΑΤΑΚΗΣ" || got["brandLang"] != "el" || got["titleLang"] != "el" {
		t.Errorf("the Greek card: %v", got)
	}
	if got := card("海辺のカフカ 第3巻"); got["titleLang"] != "ja" {
		t.Errorf("the Japanese card: %v", got)
	}
	if got := card("Chef Knife"); got["titleLang"] != "" || got["brandLang"] != "" {
		t.Errorf("an English card: %v", got)
	}
	b.open(web.ProductURL(s.product("SKU-7")), `[data-testid="product-title"]`)
	if got := b.attrs(`[data-testid="product-title"]`, "lang"); len(got) != 1 || got[0] != "ja" {
		t.Errorf("the Japanese product page's title has lang %q", got)
	}
}

// TestAnAddressWithACombiningAccentIsTheSameAccount: José registers as
// "josé@example.com" typed with é; someone else types the same address
// with e and a combining accent (as some keyboards and systems write it),
// which reads, prints and is delivered alike. The form says the account
// exists (it made a second one), and José logs in typing it that way.
func TestAnAddressWithACombiningAccentIsTheSameAccount(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	const pw = "violet kettle harbour 42"
	setEmail := func(b *tab, email string) {
		q, _ := json.Marshal(email)
		b.do("type the address", chromedp.Evaluate[chromedp.Void](`document.querySelector("#email").value = `+string(q)))
	}
	b := newBrowser(t, s)
	b.step(t, "José registers", func(t *testing.T, b *tab) {
		b.open("/register", `#name`)
		b.fill(`#name`, "José", `#password`, pw)
		setEmail(b, "jos\u00e9@example.com")
		b.follow(`[data-testid="auth-submit"]`, `[data-testid="account-link"]`)
	})
	b.step(t, "the decomposed spelling is the same account", func(t *testing.T, b *tab) {
		b = b.incognito()
		b.open("/register", `#name`)
		b.fill(`#name`, "Not José", `#password`, "another long password 77")
		setEmail(b, "jose\u0301@example.com")
		b.follow(`[data-testid="auth-submit"]`, `[data-testid="error-summary"]`)
		if got := b.text(`[data-testid="auth-form"]`); !strings.Contains(got, "already exists") {
			t.Fatalf("the form says %q, want that the account exists", got)
		}
		var n int64
		must(t, s.db.W.Model(&models.Shopper{}).Where("email IS NOT NULL AND name IN ?", []string{"José", "Not José"}).Count(&n).Error)
		if n != 1 {
			t.Fatalf("%d accounts for one address", n)
		}
		b.open("/login", `#email`)
		b.fill(`#password`, pw)
		setEmail(b, "jose\u0301@example.com")
		b.follow(`[data-testid="auth-submit"]`, `[data-testid="account-link"]`)
		if got := b.path(); got == "/login" {
			t.Fatal("José could not log in typing the address with a combining accent")
		}
	})
}

// TestANameWithAControlCharacterIsRefused: a shopper's name is written
// into the shop's emails, where a line break could end the message and
// start commands of the sender's own; the form refuses a name holding a
// control character (a tab survives a text box; line breaks do not, but
// a form posted by a script keeps them) and says so at the field; an
// address on the shop's own network (eve@intranet), where the relay would
// deliver its email inside that network, is refused the same way.
func TestANameWithAControlCharacterIsRefused(t *testing.T) {
	t.Parallel()
	s := startShop(t)
	b := newBrowser(t, s)
	b.step(t, "a name with a tab", func(t *testing.T, b *tab) {
		b.open("/register", `#name`)
		b.fill(`#email`, "tab@example.com", `#password`, "violet kettle harbour 43")
		b.do("type the name", chromedp.Evaluate[chromedp.Void](`document.querySelector("#name").value = "Eve\tSmith"`))
		b.follow(`[data-testid="auth-submit"]`, `[data-testid="error-summary"]`)
		if got := b.text(`[data-testid="auth-form"]`); !strings.Contains(got, "on one line") {
			t.Fatalf("the form says %q, want that the name must be one line", got)
		}
		var n int64
		must(t, s.db.W.Model(&models.Shopper{}).Where("email = ?", "tab@example.com").Count(&n).Error)
		if n != 0 {
			t.Fatal("the refused name made an account")
		}
	})
	b.step(t, "an address on the shop's own network", func(t *testing.T, b *tab) {
		// The relay would deliver its reset email inside its own network.
		b.fill(`#name`, "Eve Smith", `#email`, "eve@intranet", `#password`, "violet kettle harbour 43")
		b.follow(`[data-testid="auth-submit"]`, `[data-testid="error-summary"]`)
		if got := b.text(`[data-testid="auth-form"]`); !strings.Contains(got, "on a domain of the internet") {
			t.Fatalf("the form says %q, want that the address must be on an internet domain", got)
		}
		var n int64
		must(t, s.db.W.Model(&models.Shopper{}).Where("email = ?", "eve@intranet").Count(&n).Error)
		if n != 0 {
			t.Fatal("the refused address made an account")
		}
	})
	b.step(t, "the same name without the tab", func(t *testing.T, b *tab) {
		b.fill(`#name`, "Eve Smith", `#email`, "tab@example.com", `#password`, "violet kettle harbour 43")
		b.follow(`[data-testid="auth-submit"]`, `[data-testid="account-link"]`)
	})
}
