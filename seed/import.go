package seed

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"storefront/models"
)

// Import reads a products CSV and/or an events CSV (either path may be
// empty) and adds them to the database, all or nothing. Every row is
// validated before anything is written; if any is bad the result is an
// *ImportError listing the problems and the database is untouched.
// Otherwise products are upserted by id (categories created from their
// names or "A > B" paths), users without an account get one, events not
// already stored are appended (eventSet.dropStored), and popularity is
// recomputed, in one transaction.
//
// Products: id,title,description,category,brand,price,stock,created_at
// (+ optional image_url, compare_at_price, group_id); price in currency units ("19.99"); an empty
// created_at means now for a new product and "unchanged" for an existing
// one. Events: user_id,product_id,type,timestamp (+ optional value); type
// is view, click, add_to_cart or purchase; timestamps are RFC 3339.
// Columns are found by header name, in any order; unknown columns are ignored.
func Import(ctx context.Context, db *models.DB, productsPath, eventsPath string, progress io.Writer) (*ImportSummary, error) {
	return ImportWith(ctx, db, ImportOptions{Products: productsPath, Events: eventsPath}, progress)
}

// ImportOptions are the files of an import and how to apply them.
type ImportOptions struct {
	Products string // products CSV path, or ""
	Events   string // events CSV path, or ""
	// Customers is a customers CSV path, or "": user_id,email (+ optional
	// name) gives customers imported under an id of the shop system
	// (cust0042) the address they claim their history with.
	Customers string
	// DeactivateMissing treats the products file as the full catalog:
	// products it lists are active, every other product is deactivated.
	DeactivateMissing bool
}

// ImportWith is Import with options.
func ImportWith(ctx context.Context, db *models.DB, opts ImportOptions, progress io.Writer) (*ImportSummary, error) {
	plan, err := PlanImport(ctx, db, opts, progress)
	if err != nil {
		return nil, err
	}
	return plan.Apply(ctx, db)
}

// ImportPlan is an import read and validated, not yet written: what the
// admin's preview shows before anything is applied.
type ImportPlan struct {
	Preview  ImportPreview
	opts     ImportOptions
	prods    *productFile
	evs      *eventSet
	custs    *customerFile
	probs    *problems
	began    time.Time
	progress io.Writer
}

// ImportPreview describes a planned import.
type ImportPreview struct {
	Products        []PreviewProduct // the first rows of the products file
	Events          []PreviewEvent   // the first rows of the events file
	Customers       []PreviewCustomer
	ProductRows     int
	EventRows       int
	CustomerRows    int
	NewProducts     int
	UpdatedProducts int
	Deactivated     int // products the import would deactivate
	// Changes lists the first maxChanges existing products whose stored
	// fields the file overwrites, old → new; Changed counts them all and
	// PriceStockChanged those whose price, compare-at price or stock
	// changes (an edit made in the admin since the file was exported).
	Changes           []ProductChange
	Changed           int
	PriceStockChanged int
	Problems          []Problem // the first maxProblems problems, in file order
	TotalProblems     int
}

// PreviewProduct is a products row as it will be stored.
type PreviewProduct struct {
	Line       int
	ID         string
	Title      string
	Category   string
	Brand      string
	PriceCents int64
	Stock      int
	New        bool
}

// ProductChange is an existing product the file changes.
type ProductChange struct {
	Line   int
	ID     string
	Title  string
	Fields []FieldChange
}

// FieldChange is one field a file overwrites.
type FieldChange struct{ Field, Old, New string }

// maxChanges is how many changed products a preview lists.
const maxChanges = 50

// PreviewEvent is an events row as it will be stored.
type PreviewEvent struct {
	Line      int
	User      string
	Product   string
	Type      string
	Timestamp time.Time
}

// previewRows is how many rows of each file a preview shows.
const previewRows = 10

// PlanImport reads and validates the files without writing anything. Bad
// rows are in the plan's Preview; the error is for files that cannot be
// read at all, or a cancelled context.
func PlanImport(ctx context.Context, db *models.DB, opts ImportOptions, progress io.Writer) (*ImportPlan, error) {
	plan := &ImportPlan{opts: opts, began: time.Now(), progress: progress, probs: &problems{}, evs: newEventSet()}
	if plan.progress == nil {
		plan.progress = io.Discard
	}
	if opts.Products == "" && opts.Events == "" && opts.Customers == "" {
		return nil, fmt.Errorf("import: no file given: %w", models.ErrInvalid)
	}
	if opts.DeactivateMissing && opts.Products == "" {
		return nil, fmt.Errorf("import: deactivating missing products needs a products file: %w", models.ErrInvalid)
	}
	existing, err := db.ProductKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	probs := plan.probs
	if opts.Products != "" {
		if plan.prods, err = readProducts(ctx, opts.Products, probs); err != nil {
			return nil, err
		}
		plan.step("read %s: %d products", filepath.Base(opts.Products), len(plan.prods.rows))
		stored, err := db.Categories(ctx)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if root := plan.prods.leaveOutRoot(stored); root != "" {
			plan.step("every category was under %q; it is left out", root)
		}
		if opts.DeactivateMissing && len(plan.prods.rows) == 0 && probs.total == 0 {
			// A header alone, from an export that failed, is not a shop
			// that sells nothing: as the full catalog it would take every
			// product off sale.
			active, err := db.ActiveProductKeys(ctx)
			if err != nil {
				return nil, fmt.Errorf("import: %w", err)
			}
			if len(active) > 0 {
				probs.add(filepath.Base(opts.Products), 1, "", "has no products: as the full catalog (deactivate missing) it would deactivate all %d products of the shop; refused", len(active))
			}
		}
	}
	// Product ids are matched in Unicode normal form C, as customer ids are
	// (models.NormalID): "Crème-1" written with a combining grave accent
	// in one file and one code point in the other, or in the database, is
	// one product, kept under the id the catalog has; a UUID is matched in
	// any letter case (models.ProductMatchID).
	byNormal := normalProductIDs(existing)
	if plan.prods != nil {
		plan.prods.matchStored(existing, byNormal)
	}
	if opts.Events != "" {
		if plan.prods != nil {
			for id := range plan.prods.byID {
				addNormalID(byNormal, id)
			}
		}
		resolve := func(id string) (string, bool) {
			if _, ok := existing[id]; ok {
				return id, true
			}
			if plan.prods != nil {
				if _, ok := plan.prods.byID[id]; ok || plan.prods.unread {
					return id, true
				}
			}
			held, ok := byNormal[models.ProductMatchID(id)]
			return held, ok
		}
		// like names a product of the shop whose id is the unknown one's
		// but for leading zeros or letter case (looseID), built when a
		// first id is unknown.
		var loose map[string]string
		like := func(id string) string {
			if loose == nil {
				loose = map[string]string{}
				add := func(k string) {
					if l := looseID(k); l != "" {
						if o, dup := loose[l]; !dup || k < o {
							loose[l] = k
						}
					}
				}
				for k := range existing {
					add(k)
				}
				if plan.prods != nil {
					for k := range plan.prods.byID {
						add(k)
					}
				}
			}
			return loose[looseID(id)]
		}
		if err := readEvents(ctx, opts.Events, resolve, like, plan.evs, probs); err != nil {
			return nil, err
		}
		plan.step("read %s: %d events", filepath.Base(opts.Events), plan.evs.rows)
	}
	if opts.Customers != "" {
		if plan.custs, err = readCustomers(ctx, db, opts.Customers, plan.evs, probs); err != nil {
			return nil, err
		}
		plan.step("read %s: %d customers", filepath.Base(opts.Customers), len(plan.custs.rows))
	}
	pv := &plan.Preview
	if plan.custs != nil {
		pv.Customers, pv.CustomerRows = plan.custs.preview, len(plan.custs.rows)
	}
	probs.byLine()
	pv.Problems, pv.TotalProblems = probs.list, probs.total
	pv.Events, pv.EventRows = plan.evs.preview, plan.evs.rows
	if plan.prods != nil {
		pv.ProductRows = len(plan.prods.rows)
		var ids []string
		for _, r := range plan.prods.rows {
			if _, exists := existing[r.id]; exists {
				ids = append(ids, r.id)
			}
		}
		stored, err := db.ProductsByExternalID(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		for _, r := range plan.prods.rows {
			_, exists := existing[r.id]
			if exists {
				pv.UpdatedProducts++
				if old, ok := stored[r.id]; ok {
					pv.noteChanges(&r, &old, plan.prods.withCompare, opts.DeactivateMissing)
				}
			} else {
				pv.NewProducts++
			}
			if len(pv.Products) < previewRows {
				pv.Products = append(pv.Products, PreviewProduct{Line: r.line, ID: r.id, Title: r.title, Category: strings.Join(r.category, " > "),
					Brand: r.brand, PriceCents: r.price, Stock: r.stock, New: !exists})
			}
		}
		if opts.DeactivateMissing {
			active, err := db.ActiveProductKeys(ctx)
			if err != nil {
				return nil, fmt.Errorf("import: %w", err)
			}
			for id := range active {
				if _, listed := plan.prods.byID[id]; !listed {
					pv.Deactivated++
				}
			}
		}
	}
	return plan, nil
}

// noteChanges records which of a stored product's fields row overwrites.
func (pv *ImportPreview) noteChanges(r *productRow, old *models.Product, withCompare, fullCatalog bool) {
	var fs []FieldChange
	money := func(c int64) string {
		if c == 0 {
			return "none"
		}
		return fmt.Sprintf("%d.%02d", c/100, c%100)
	}
	if r.title != old.Title {
		fs = append(fs, FieldChange{"title", old.Title, r.title})
	}
	priceStock := false
	if r.price != old.PriceCents {
		fs, priceStock = append(fs, FieldChange{"price", money(old.PriceCents), money(r.price)}), true
	}
	if withCompare && r.compare != old.CompareAtCents {
		fs, priceStock = append(fs, FieldChange{"compare-at price", money(old.CompareAtCents), money(r.compare)}), true
	}
	if old.CompareAtCents > old.PriceCents && old.PriceCents > 0 {
		compare := old.CompareAtCents
		if withCompare {
			compare = r.compare
		}
		if compare <= r.price {
			fs = append(fs, FieldChange{"sale", "on sale", "ends"})
		}
	}
	if r.stock != old.Stock {
		fs, priceStock = append(fs, FieldChange{"stock", strconv.Itoa(old.Stock), strconv.Itoa(r.stock)}), true
	}
	switch {
	case r.active != nil && *r.active != old.Active:
		fs = append(fs, FieldChange{"active", yesNo(old.Active), yesNo(*r.active)})
	case r.active == nil && fullCatalog && !old.Active:
		fs = append(fs, FieldChange{"active", "no", "yes"})
	}
	if len(fs) == 0 {
		return
	}
	pv.Changed++
	if priceStock {
		pv.PriceStockChanged++
	}
	if len(pv.Changes) < maxChanges {
		pv.Changes = append(pv.Changes, ProductChange{Line: r.line, ID: r.id, Title: old.Title, Fields: fs})
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (p *ImportPlan) step(format string, args ...any) {
	fmt.Fprintf(p.progress, "import: %-44s %6.2fs\n", fmt.Sprintf(format, args...), time.Since(p.began).Seconds())
}

// Apply writes a plan without problems in one transaction; a plan with
// problems is refused with an *ImportError and nothing is written.
func (p *ImportPlan) Apply(ctx context.Context, db *models.DB) (*ImportSummary, error) {
	if p.probs.total > 0 {
		return nil, p.probs.err()
	}
	existing, err := db.ProductKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	sum := &ImportSummary{}
	// Events older than the shop keeps raw events (the admin's data
	// retention) are not stored: the next daily clean-up would delete
	// them, and until then they would be trained on and exported.
	if len(p.evs.events) > 0 {
		days, err := db.RetentionDays(ctx)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if days > 0 {
			sum.RetentionDays = days
			sum.EventsExpired = p.evs.dropBefore(time.Now().AddDate(0, 0, -days))
			if sum.EventsExpired > 0 {
				p.step("%d %s older than the %d days events are kept, not stored", sum.EventsExpired, plural(sum.EventsExpired, "event", "events"), days)
			}
		}
	}
	err = db.Bulk(ctx, func(b *models.BulkTx) error {
		if p.prods != nil {
			if err := p.prods.write(b, existing, sum); err != nil {
				return err
			}
			p.step("wrote %d products (%d new, %d updated)", sum.ProductsCreated+sum.ProductsUpdated, sum.ProductsCreated, sum.ProductsUpdated)
			if p.opts.DeactivateMissing {
				listed := make(map[string]bool, len(p.prods.rows))
				for _, r := range p.prods.rows {
					listed[r.id] = true
				}
				n, err := b.SetCatalog(listed)
				if err != nil {
					return err
				}
				sum.ProductsDeactivated = int(n)
				p.step("deactivated %d %s missing from the file", n, plural(int(n), "product", "products"))
			}
			sum.CategoryLists, sum.ImageLists = p.prods.categoryLists, p.prods.imageLists
			sum.RootLeftOut = p.prods.rootLeftOut
			sum.Configurables = p.prods.configurables
			sum.Hidden = p.prods.hidden
			sum.ImagePaths, sum.ImagePath = p.prods.imagePaths, p.prods.imagePath
			// The file's active cells last: a product the full catalog
			// lists may still be one its merchant took off sale.
			states := map[string]bool{}
			for _, r := range p.prods.rows {
				if r.active != nil {
					states[r.id] = *r.active
					if !*r.active && !r.configurable && !r.hidden {
						sum.ProductsInactive++
					}
				}
			}
			if err := b.SetActive(states); err != nil {
				return err
			}
			if sum.ProductsInactive > 0 {
				p.step("%d %s not for sale, as the file's active column says", sum.ProductsInactive, plural(sum.ProductsInactive, "product", "products"))
			}
		}
		if len(p.evs.events) > 0 {
			p.evs.progress = p.step
			if err := p.evs.write(ctx, b, sum); err != nil {
				return err
			}
			p.step("wrote %d events, %d new shoppers", sum.Events, sum.ShoppersCreated)
		}
		if p.custs != nil {
			// After the events: their new customers are stored now.
			n, err := b.SetCustomerEmails(p.custs.emails())
			if err != nil {
				return err
			}
			sum.CustomerEmails = n
			p.step("gave %d %s an email address", n, plural(n, "customer", "customers"))
		}
		return b.RefreshPopularity()
	})
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if p.prods != nil && p.prods.currency != "" {
		if sum.ShopCurrency, sum.CurrencySet, err = db.AdoptCurrency(ctx, "import", p.prods.currency, len(p.prods.rows)); err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		sum.FileCurrency = p.prods.currency
		if sum.CurrencySet {
			p.step("the shop's currency set to %s, the file's", sum.FileCurrency)
		}
	}
	if sum.DefaultHomepage, err = db.EnsureDefaultHomepage(ctx); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if sum.DefaultHomepage {
		p.step("published a default homepage")
	} else if sum.HomepageRebuilt, sum.HomepageStale, err = db.RefreshDefaultHomepage(ctx); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	} else if sum.HomepageRebuilt {
		p.step("rebuilt the default homepage")
	}
	sum.Duration = time.Since(p.began)
	p.step("done")
	return sum, nil
}

// ImportSummary reports what Import wrote.
type ImportSummary struct {
	ProductsCreated     int
	ProductsUpdated     int
	ProductsDeactivated int
	// ProductsInactive are the file's products its active column says are
	// not for sale (a draft, a private product, one taken off sale):
	// stored inactive.
	ProductsInactive  int
	CategoriesCreated int
	// CategoryLists and ImageLists count the file's products whose
	// category cell listed several categories (filed under the deepest,
	// the department rather than a tag)
	// and whose image_url cell listed several images (the first shown).
	CategoryLists, ImageLists int
	// RootLeftOut is the one top-level category every categorised
	// product of the file was under, left out of their paths (a
	// platform's wrapper root, Magento's "Default Category"); "" when
	// none was.
	RootLeftOut string
	// Configurables counts the file's Magento configurable products, read
	// as the models (groups) of their variants and stored not for sale.
	Configurables int
	// Hidden counts the products "Not Visible Individually" (a Magento
	// export's visibility) that no configurable product lists, stored not
	// for sale.
	Hidden int
	// ImagePaths counts the file's products whose image_url is a path on
	// the shop's own host that the shop does not serve (Magento's export
	// writes "/t/h/throw.jpg", under its own media folder), ImagePath the
	// first of them.
	ImagePaths      int
	ImagePath       string
	ShoppersCreated int
	// Renamed are the events file's customers whose user_id an account
	// one can log in as already has: their events are under a key of
	// their own (models.BulkTx.ImportShoppers).
	Renamed []RenamedCustomer
	Events  int // events stored
	// EventsSkipped are the file's events already stored (the same
	// customer, product, type, time and value): not stored again.
	EventsSkipped int
	// EventsExpired are the file's events older than the shop keeps raw
	// events (RetentionDays, the admin's data retention): not stored.
	EventsExpired int
	RetentionDays int
	// EventsForgotten are the file's events of customers deleted on
	// request (models.ForgottenUser): not stored.
	EventsForgotten int
	// CustomerEmails counts the customers file's customers given an
	// address (or a name) they did not have.
	CustomerEmails  int
	DefaultHomepage bool // a default homepage was published
	// HomepageStale are the homepage's rows whose category holds no active
	// product after the import (a catalog re-imported with its categories
	// renamed); HomepageRebuilt says the system's own, unedited homepage
	// was rebuilt from the shop's categories for it.
	HomepageStale   []string
	HomepageRebuilt bool
	// FileCurrency is the currency the products file's prices were
	// written with ("" when they named none), ShopCurrency the shop's
	// after the import: a shop nobody has configured takes the file's
	// (CurrencySet), a configured one keeps its own.
	FileCurrency string
	ShopCurrency string
	CurrencySet  bool
	Duration     time.Duration
}

// CurrencyLine says that the shop took the file's currency, or that the
// file's prices name another currency than the shop sells in; "" when
// they agree or the prices named none.
func (s *ImportSummary) CurrencyLine() string {
	switch {
	case s.FileCurrency == "" || s.ShopCurrency == "":
		return ""
	case s.CurrencySet:
		return fmt.Sprintf("the file's prices are in %s, so the shop now sells in %s (change it in the admin's settings)", s.FileCurrency, s.ShopCurrency)
	case s.FileCurrency != s.ShopCurrency:
		return fmt.Sprintf("the file's prices are in %s but the shop sells in %s: its prices show as %s until the currency is changed in the admin's settings",
			s.FileCurrency, s.ShopCurrency, s.ShopCurrency)
	}
	return ""
}

// ListsLine says how many of the file's products listed several
// categories or several images, and which the shop took, and how many
// name an image by a path the shop does not serve; "" when none did.
// HomepageLine says what the import did to a homepage whose rows name
// categories it left without products: rebuilt the system's own, or which
// rows of the staff's to edit ("" when none).
func (s *ImportSummary) HomepageLine() string {
	if len(s.HomepageStale) == 0 {
		return ""
	}
	names := make([]string, len(s.HomepageStale))
	for i, t := range s.HomepageStale {
		names[i] = strconv.Quote(t)
	}
	if s.HomepageRebuilt {
		return fmt.Sprintf("rebuilt the default homepage from the shop's categories: its %s %s led to %s no product is in now",
			plural(len(names), "row", "rows"), strings.Join(names, ", "), plural(len(names), "a category", "categories"))
	}
	return fmt.Sprintf("the homepage's %s %s %s to %s no product is in now: edit %s in the layout editor",
		plural(len(names), "row", "rows"), strings.Join(names, ", "), plural(len(names), "leads", "lead"),
		plural(len(names), "a category", "categories"), plural(len(names), "it", "them"))
}

func (s *ImportSummary) ListsLine() string {
	var parts []string
	if s.RootLeftOut != "" {
		parts = append(parts, fmt.Sprintf("every category was under %s; it is left out", short(s.RootLeftOut)))
	}
	if s.Configurables > 0 {
		parts = append(parts, fmt.Sprintf("%d configurable %s read as the %s of %s variants (group_id), not for sale on %s own",
			s.Configurables, plural(s.Configurables, "product is", "products are"), plural(s.Configurables, "model", "models"),
			plural(s.Configurables, "its", "their"), plural(s.Configurables, "its", "their")))
	}
	if s.Hidden > 0 {
		parts = append(parts, fmt.Sprintf("%d %s \"Not Visible Individually\" and an option of no configurable product: not for sale, as Magento shows %s nowhere",
			s.Hidden, plural(s.Hidden, "product is", "products are"), plural(s.Hidden, "it", "them")))
	}
	if s.CategoryLists > 0 {
		parts = append(parts, fmt.Sprintf("%d %s listed several categories: each is filed under the deepest it listed, and of those as deep under its department rather than a tag that comes with every department, such as \"Sale\" (a product has one category here)",
			s.CategoryLists, plural(s.CategoryLists, "product", "products")))
	}
	if s.ImageLists > 0 {
		parts = append(parts, fmt.Sprintf("%d %s listed several images: each shows the first",
			s.ImageLists, plural(s.ImageLists, "product", "products")))
	}
	if s.ImagePaths > 0 {
		parts = append(parts, fmt.Sprintf("%d %s an image_url that is a path this shop does not serve (%s): %s a drawing unless a server in front of the shop answers it; "+
			"give each picture's full https:// address (a Magento export's paths are under its /media/catalog/product/), or upload it in the catalog",
			s.ImagePaths, plural(s.ImagePaths, "product has", "products have"), short(s.ImagePath), plural(s.ImagePaths, "it shows", "they show")))
	}
	return strings.Join(parts, "; ")
}

// servesImagePath says whether the shop answers an image path itself:
// an uploaded picture (/img/u/…, as the catalog export writes it) or a
// static file.
func servesImagePath(p string) bool {
	return strings.HasPrefix(p, "/img/u/") || strings.HasPrefix(p, "/static/")
}

// SkippedLine says how many of the file's events were already stored, or
// older than the shop keeps events, and so not stored; "" when none were.
func (s *ImportSummary) SkippedLine() string {
	var parts []string
	if s.EventsSkipped > 0 {
		parts = append(parts, fmt.Sprintf("%d %s already stored (the same customer, product, type, time and value), not stored again",
			s.EventsSkipped, plural(s.EventsSkipped, "event", "events")))
	}
	if s.EventsExpired > 0 {
		parts = append(parts, s.ExpiredLine(strconv.Itoa(s.EventsExpired)))
	}
	if s.EventsForgotten > 0 {
		parts = append(parts, s.ForgottenLine(strconv.Itoa(s.EventsForgotten)))
	}
	return strings.Join(parts, "; ")
}

// ForgottenLine says that the file's events of deleted customers were not
// stored, with their count written as n.
func (s *ImportSummary) ForgottenLine(n string) string {
	return fmt.Sprintf("%s %s of customers deleted on request, not stored", n, plural(s.EventsForgotten, "event", "events"))
}

// ExpiredLine says that the file's events older than the shop keeps
// events were not stored, with their count written as n.
func (s *ImportSummary) ExpiredLine(n string) string {
	return fmt.Sprintf("%s %s older than the %d days this shop keeps events (data retention), not stored",
		n, plural(s.EventsExpired, "event", "events"), s.RetentionDays)
}

// CustomersLine says what a customers file gave, and how those customers
// claim their history.
func (s *ImportSummary) CustomersLine() string {
	return fmt.Sprintf("%d %s an email address: each sets a first password with \"Forgot your password?\" on the login page and logs in to their history",
		s.CustomerEmails, plural(s.CustomerEmails, "customer given", "customers given"))
}

// RenamedCustomer is a customer of an events file stored under another key.
type RenamedCustomer struct{ UserID, Key string }

// RenamedLine says which customers were stored under another key, naming
// the first three; "" when none were.
func (s *ImportSummary) RenamedLine() string {
	if len(s.Renamed) == 0 {
		return ""
	}
	var named []string
	for _, r := range s.Renamed[:min(3, len(s.Renamed))] {
		named = append(named, fmt.Sprintf("%s as %s", r.UserID, r.Key))
	}
	more := ""
	if len(s.Renamed) > 3 {
		more = fmt.Sprintf(" and %d more", len(s.Renamed)-3)
	}
	return fmt.Sprintf("%d %s whose user_id an account here already has, kept apart from it: %s%s",
		len(s.Renamed), plural(len(s.Renamed), "customer", "customers"), strings.Join(named, ", "), more)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Problem is one thing wrong with an import file.
type Problem struct {
	File   string // base name of the file
	Line   int    // 1-based line number; the header is line 1
	Field  string // column name, empty when the whole row is wrong
	Reason string
	// Summary marks a line about several problems already listed and
	// counted (how many rows name products the shop does not have).
	Summary bool
}

func (p Problem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason)
	}
	return fmt.Sprintf("%s:%d: field %s: %s", p.File, p.Line, p.Field, p.Reason)
}

// maxProblems is how many problems an ImportError keeps and shows.
const maxProblems = 100

// maxUnknownIDs bounds the distinct unknown product ids an events file's
// summary counts.
const maxUnknownIDs = 1_000_000

// ImportError lists why an import was refused. Nothing was written.
type ImportError struct {
	Problems []Problem // the first maxProblems problems, in file order, and summaries
	Total    int       // how many problems were found in all
}

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "import refused, nothing was written: %d problem(s)", e.Total)
	listed := 0
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
		if !p.Summary {
			listed++
		}
	}
	if more := e.Total - listed; more > 0 {
		fmt.Fprintf(&b, "\n  and %d more", more)
	}
	return b.String()
}

// Unwrap lets callers treat a refused import as invalid input.
func (e *ImportError) Unwrap() error { return models.ErrInvalid }

type problems struct {
	list  []Problem
	total int
}

func (ps *problems) add(file string, line int, field, format string, args ...any) {
	ps.total++
	if len(ps.list) < maxProblems {
		ps.list = append(ps.list, Problem{File: file, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
}

// note adds a summary of problems already counted: it is shown beside
// the line it names (past the first maxProblems too) and not counted again.
func (ps *problems) note(file string, line int, field, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: file, Line: line, Field: field, Reason: fmt.Sprintf(format, args...), Summary: true})
}

func (ps *problems) err() error {
	ps.byLine()
	return &ImportError{Problems: ps.list, Total: ps.total}
}

// byLine orders each file's problems by line: a row's category is checked
// only once its whole file is read.
func (ps *problems) byLine() {
	files := map[string]int{}
	for _, p := range ps.list {
		if _, ok := files[p.File]; !ok {
			files[p.File] = len(files)
		}
	}
	slices.SortStableFunc(ps.list, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(files[a.File], files[b.File]), cmp.Compare(a.Line, b.Line))
	})
}

// csvFile reads one CSV file with a header row.
type csvFile struct {
	name string
	f    *os.File
	r    *csv.Reader
	col  map[string]int
	n    int // header width

	// The currency the file's prices are written in, and the line that
	// first wrote it ("" while no price named one).
	currency     string
	currencyLine int
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// TextReader reads a text file as UTF-8 without its byte order mark: a
// file that starts with a UTF-16 one (a spreadsheet's "Unicode text",
// Windows PowerShell's redirection) is decoded from UTF-16.
func TextReader(br *bufio.Reader) *bufio.Reader {
	b, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(b, utf8BOM):
		br.Discard(3)
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		br.Discard(2)
		return bufio.NewReaderSize(&utf16Text{r: br, big: b[0] == 0xFE, line: 1}, br.Size())
	}
	return br
}

// utf16Text decodes UTF-16 to UTF-8, refusing what is not a character with
// the line it is on: half of a surrogate pair, or a file ending in one byte
// of two. A decoder that writes U+FFFD in their place (as x/text's does)
// stores text the file did not hold, and made two customer ids that differ
// only there one customer.
type utf16Text struct {
	r    *bufio.Reader
	big  bool
	line int
	out  []byte
	err  error
}

func (u *utf16Text) Read(p []byte) (int, error) {
	for len(u.out) == 0 && u.err == nil {
		u.decode()
	}
	if len(u.out) > 0 {
		n := copy(p, u.out)
		u.out = u.out[n:]
		return n, nil
	}
	return 0, u.err
}

// decode decodes up to 4,096 code units into u.out, or sets u.err.
func (u *utf16Text) decode() {
	for range 4096 {
		c, err := u.unit()
		if err != nil {
			u.err = err
			return
		}
		r := rune(c)
		if utf16.IsSurrogate(r) {
			low, err := u.unit()
			if r >= 0xDC00 || err != nil || low < 0xDC00 || low > 0xDFFF {
				if err != nil && err != io.EOF {
					u.err = err
					return
				}
				u.err = &textError{u.line, fmt.Sprintf("the UTF-16 text holds \\u%04x, half of a surrogate pair, which is not a character (the file was cut or mixed with other text; save it again)", r)}
				return
			}
			r = utf16.DecodeRune(r, rune(low))
		}
		if r == '\n' {
			u.line++
		}
		u.out = utf8.AppendRune(u.out, r)
	}
}

// textError is text of a file that is not text, on its line.
type textError struct {
	line   int
	reason string
}

func (e *textError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.reason) }

// unit reads one code unit in the file's byte order.
func (u *utf16Text) unit() (uint16, error) {
	var b [2]byte
	n, err := io.ReadFull(u.r, b[:])
	if n == 1 {
		return 0, &textError{u.line, "the UTF-16 text ends in one byte of a two-byte unit (the file was cut; save it again)"}
	}
	if err != nil {
		return 0, err
	}
	if u.big {
		return uint16(b[0])<<8 | uint16(b[1]), nil
	}
	return uint16(b[1])<<8 | uint16(b[0]), nil
}

// lineEnds reads a file whose lines may end with a carriage return alone
// (a spreadsheet's "CSV (Macintosh)"), which encoding/csv keeps inside the
// line: such a carriage return becomes a newline. One before a newline is
// left to encoding/csv.
type lineEnds struct{ r *bufio.Reader }

func (l lineEnds) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := bytes.IndexByte(p[:n], '\r'); i >= 0; {
		if i+1 < n {
			if p[i+1] != '\n' {
				p[i] = '\n'
			}
		} else if next, perr := l.r.Peek(1); perr != nil || next[0] != '\n' {
			p[i] = '\n'
		}
		j := bytes.IndexByte(p[i+1:n], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return n, err
}

// separator is the character between the columns of the file br is at
// the start of: a comma, or what a spreadsheet saves with its locale's
// separator (a German "CSV" has semicolons; tabs, bars) when the header
// holds no comma and more of it than of the others.
func separator(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size())
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		head = head[:i]
	}
	sep, most := ',', 0
	if bytes.IndexByte(head, ',') >= 0 {
		return sep
	}
	for _, c := range []byte{';', '\t', '|'} {
		if n := bytes.Count(head, []byte{c}); n > most {
			sep, most = rune(c), n
		}
	}
	return sep
}

// openCSV opens path and reads its header. It returns nil (and records the
// problems) when required columns are missing.
func openCSV(path string, required, optional []string, probs *problems) (*csvFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	br := TextReader(bufio.NewReaderSize(f, 1<<16))
	c := &csvFile{name: filepath.Base(path), f: f, r: csv.NewReader(lineEnds{br}), col: map[string]int{}}
	c.r.Comma = separator(br)
	c.r.ReuseRecord = true
	c.r.FieldsPerRecord = -1 // the width is checked per row, to report it with the line
	header, err := c.r.Read()
	if err == io.EOF {
		probs.add(c.name, 1, "", "file is empty; expected a header row")
		f.Close()
		return nil, nil
	}
	if err != nil {
		probs.add(c.name, 1, "", "header: %s", csvReason(err))
		f.Close()
		return nil, nil
	}
	c.n = len(header)
	ok := true
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := c.col[h]; dup && h != "" {
			probs.add(c.name, 1, h, "column appears twice")
			ok = false
		}
		c.col[h] = i
	}
	known := map[string]bool{}
	for _, n := range append(append([]string{}, required...), optional...) {
		known[n] = true
	}
	// Columns the import does not read, named when a required one is
	// missing: often the same column under the old platform's name. The
	// first few are named, the rest counted: a header of a million
	// columns made every missing column's problem list them all (75 MB
	// of preview page from an 8 MB file).
	var unread []string
	nUnread := 0
	for _, h := range header {
		if h = strings.TrimSpace(h); h != "" && !known[strings.ToLower(h)] {
			if nUnread++; len(unread) < maxNamedColumns {
				unread = append(unread, short(h))
			}
		}
	}
	for _, name := range required {
		if _, has := c.col[name]; !has {
			also := ""
			if nUnread > 0 {
				also = "; the import does not read the file's column " + strings.Join(unread, ", ")
				if nUnread > 1 {
					also = "; the import does not read the file's columns " + strings.Join(unread, ", ")
				}
				if nUnread > len(unread) {
					also += fmt.Sprintf(" and %d more", nUnread-len(unread))
				}
			}
			probs.add(c.name, 1, name, "missing required column (header must include %s%s)", strings.Join(required, ","), also)
			ok = false
		}
	}
	for name := range c.col {
		if !known[name] {
			delete(c.col, name) // extra columns are ignored
		}
	}
	if !ok {
		f.Close()
		return nil, nil
	}
	return c, nil
}

// maxNamedColumns is how many columns the import does not read a
// missing column's problem names.
const maxNamedColumns = 10

// next returns the next record and its line, or ok=false at the end.
// Malformed rows are recorded as problems and skipped.
func (c *csvFile) next(probs *problems) (rec []string, line int, ok bool) {
	for {
		rec, err := c.r.Read()
		if err == io.EOF {
			return nil, 0, false
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				probs.add(c.name, pe.StartLine, "", "%s", csvReason(err))
				continue
			}
			if te := (*textError)(nil); errors.As(err, &te) {
				probs.add(c.name, te.line, "", "%s", te.reason)
			} else {
				probs.add(c.name, 0, "", "%v", err)
			}
			return nil, 0, false
		}
		line, _ = c.r.FieldPos(0)
		if len(rec) != c.n {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue // a blank line
			}
			probs.add(c.name, line, "", "has %d fields, the header has %d", len(rec), c.n)
			continue
		}
		return rec, line, true
	}
}

func (c *csvFile) get(rec []string, name string) (string, bool) {
	i, ok := c.col[name]
	if !ok {
		return "", false
	}
	// A cell the shop's own export guarded against spreadsheet formulas
	// ('=…) reads as it was stored.
	return models.UnguardCSVCell(strings.TrimSpace(rec[i])), true
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	return err.Error()
}

// short quotes a value for a message, cutting long ones.
func short(s string) string { return models.Quoted(s) }

// --- products -------------------------------------------------------------

// ProductColumns are the products file's required and optional columns, as
// the import reads them (the admin's import form names them from here).
func ProductColumns() (required, optional []string) {
	return slices.Clone(productColumns), slices.Clone(productOptionalColumns)
}

// EventColumns are the events file's required and optional columns.
func EventColumns() (required, optional []string) {
	return slices.Clone(eventColumns), slices.Clone(eventOptionalColumns)
}

var (
	productColumns         = []string{"id", "title", "description", "category", "brand", "price", "stock", "created_at"}
	productOptionalColumns = []string{"image_url", "compare_at_price", "group_id", "active"}
	eventColumns           = []string{"user_id", "product_id", "type", "timestamp"}
	eventOptionalColumns   = []string{"value"}
	// magentoColumns are the columns of a Magento 2 catalog export the
	// import reads besides the file's own (readConfigurables).
	magentoColumns = []string{"product_type", "configurable_variations", "visibility"}
)

// Field limits keep one bad file from filling the shop with junk.
const (
	maxIDLen          = 128
	maxTitleLen       = 300
	maxDescriptionLen = 20_000
	maxNameLen        = 100
	maxCategoryDepth  = 6
	maxStock          = 1_000_000_000
	maxVariants       = 1_000 // a configurable product's variants read
)

type productRow struct {
	line     int
	id       string
	title    string
	desc     string
	category []string
	// rawCategory is the category cell as written, split into category
	// by the file's separator.
	rawCategory string
	brand       string
	price       int64
	stock       int
	created     time.Time // zero when the cell was empty
	image       string
	compare     int64 // compare-at (regular) price in cents; 0 = not on sale
	group       string
	imageListed bool // the image_url cell listed several images
	// active is the active cell: whether the product is for sale; nil
	// when the file has no such column or the cell is empty (a new
	// product is for sale, a stored one keeps its state).
	active *bool
	// variants are the SKUs of a Magento configurable product's simple
	// products (its configurable_variations cell); configurable is set
	// for such a row.
	configurable bool
	variants     []string
	// visibility is the visibility cell as stored (models.Product's
	// Visibility); hidden is set for "Not Visible Individually": the
	// product is shown only as an option of its configurable product.
	visibility string
	hidden     bool
}

type productFile struct {
	rows        []productRow
	byID        map[string]int // id → line
	withImage   bool
	withCompare bool
	withGroup   bool
	// withVisibility: the file has Magento's visibility column.
	withVisibility bool
	// hidden counts the rows "Not Visible Individually" that no
	// configurable product lists: stored not for sale.
	hidden int
	// currency is the ISO code the file's prices were written with ("$"
	// is USD), "" when they named none.
	currency string
	// categoryLists counts the rows whose category cell lists several
	// categories, imageLists those whose image_url cell lists several
	// images (as WooCommerce's export writes both): the product is filed
	// under the deepest category and shows the first image.
	categoryLists, imageLists int
	// rootLeftOut is the top-level category left out of every row's path
	// (leaveOutRoot), "" when none was.
	rootLeftOut string
	// configurables counts the Magento configurable products read as
	// the models of their variants (readConfigurables).
	configurables int
	// imagePaths counts the rows whose image_url is a path the shop does
	// not serve (servesImagePath), imagePath the first.
	imagePaths int
	imagePath  string
	// unread: the file's header was refused, so its rows were not read.
	// Events naming its products are then not reported as unknown: one
	// problem with the header, not one per event (207,694 for a year of a
	// shop's events under a products file saved with semicolons).
	unread bool
}

func readProducts(ctx context.Context, path string, probs *problems) (*productFile, error) {
	c, err := openCSV(path, productColumns, append(slices.Clone(productOptionalColumns), magentoColumns...), probs)
	if err != nil || c == nil {
		// c == nil: the header was refused (its problem is recorded), so
		// no row was read and no product id is known from the file.
		return &productFile{byID: map[string]int{}, unread: c == nil}, err
	}
	defer c.f.Close()
	pf := &productFile{byID: map[string]int{}}
	sep := "/"
	// A category cell lists several categories when some cell's second
	// or later category is a path in the file's separator: with ">" as
	// WooCommerce's export writes them, with "/" as Magento's does
	// ("Default Category/Living,Default Category/Living/Throws").
	listsGT, listsSlash := false, false
	bars := newBarLists(c.r.Comma)
	var badRows []productRow // rows with other problems, whose category is checked too
	_, pf.withImage = c.col["image_url"]
	_, pf.withCompare = c.col["compare_at_price"]
	_, pf.withGroup = c.col["group_id"]
	_, pf.withVisibility = c.col["visibility"]
	for n := 0; ; n++ {
		if n%10_000 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec, line, ok := c.next(probs)
		if !ok {
			break
		}
		if cat, _ := c.get(rec, "category"); cat != "" {
			if strings.Contains(cat, ">") {
				sep = ">"
			}
			bars.see(cat)
			if parts := splitCategoryList(cat); len(parts) > 1 {
				for _, p := range parts[1:] {
					listsGT = listsGT || strings.Contains(p, ">")
					listsSlash = listsSlash || strings.Contains(p, "/")
				}
			}
		}
		if row, ok := parseProductRow(c, rec, line, probs); ok {
			if first, dup := pf.byID[row.id]; dup {
				probs.add(c.name, line, "id", "duplicate id %s (first on line %d)", short(row.id), first)
				continue
			}
			pf.byID[row.id] = line
			pf.rows = append(pf.rows, row)
		} else {
			if cat, _ := c.get(rec, "category"); cat != "" {
				badRows = append(badRows, productRow{line: line, rawCategory: cat})
			}
			id, _ := c.get(rec, "id")
			if id == "" {
				continue
			}
			// Events may still refer to it; don't report them as unknown too.
			if _, dup := pf.byID[id]; !dup {
				pf.byID[id] = line
			}
		}
	}
	lists := listsSlash
	if sep == ">" {
		lists = listsGT
	}
	lc := listedCategories{lists: lists, bars: bars.lists(sep), sep: sep}
	lc.spread = lc.spreadOf(pf.rows)
	pf.hidden = hideLoneVariants(pf.rows)
	if pf.configurables = readConfigurables(pf.rows); pf.configurables > 0 {
		pf.withGroup = true
	}
	fillFromGroups(pf.rows)
	kept := pf.rows[:0]
	for _, row := range pf.rows {
		var err error
		if row.rawCategory == "" {
			probs.add(c.name, row.line, "category", "is empty, and no other row of group %s names one", short(row.group))
			continue
		}
		path, listed := lc.categoryOf(row.rawCategory)
		if listed {
			pf.categoryLists++
		}
		if row.imageListed {
			pf.imageLists++
		}
		if strings.HasPrefix(row.image, "/") && !servesImagePath(row.image) {
			if pf.imagePaths++; pf.imagePath == "" {
				pf.imagePath = row.image
			}
		}
		if row.category, err = parseCategoryPath(path, sep); err != nil {
			probs.add(c.name, row.line, "category", "%s: %v", short(row.rawCategory), err)
			continue
		}
		kept = append(kept, row)
	}
	pf.rows = kept
	pf.currency = c.currency
	for _, row := range badRows {
		path, _ := lc.categoryOf(row.rawCategory)
		if _, err := parseCategoryPath(path, sep); err != nil {
			probs.add(c.name, row.line, "category", "%s: %v", short(row.rawCategory), err)
		}
	}
	return pf, nil
}

// leaveOutRoot files the products under the levels below the file's
// top-level category when every row's path starts with the same one and
// goes below it: a platform's wrapper root (Magento's export writes
// "Default Category/Living/Throws", others "Home" or "Root"), which as
// the shop's only department headed the homepage and was the
// navigation's one entry. A shop that truly sells one department gets its
// subcategories as departments. A top-level category the shop already
// stores is kept, so a later file of a shop with several departments
// that lists one of them lands where its products are; a later file of
// a shop whose root was left out is left out the same. It returns the
// name left out, "" when none was.
func (pf *productFile) leaveOutRoot(stored []models.Category) string {
	if len(pf.rows) == 0 {
		return ""
	}
	root := pf.rows[0].category
	for _, r := range pf.rows {
		if len(r.category) < 2 || !strings.EqualFold(r.category[0], root[0]) {
			return ""
		}
	}
	for _, c := range stored {
		if c.ParentID == nil && strings.EqualFold(c.Name, root[0]) {
			return ""
		}
	}
	for i := range pf.rows {
		pf.rows[i].category = pf.rows[i].category[1:]
	}
	pf.rootLeftOut = root[0]
	return pf.rootLeftOut
}

// readConfigurables reads a Magento 2 export's configurable products: a
// configurable row is the model of the simple products its
// configurable_variations cell lists ("sku=TH100-OAT,color=Oatmeal|…"),
// not a product for sale on its own (its stock is 0, its page Magento's
// choice of variant). It becomes its variants' group (group_id, when
// theirs is empty, is its SKU; they take its category, brand and
// description when theirs are empty, fillFromGroups) and is stored not for
// sale: imported as one more product in stock 0, each model showed itself
// among its colours as a sold-out option and was shown in rows. It
// returns how many configurable rows the file has.
func readConfigurables(rows []productRow) int {
	at := make(map[string]int, len(rows))
	for i, row := range rows {
		at[row.id] = i
	}
	n := 0
	off := false
	for i := range rows {
		parent := &rows[i]
		if !parent.configurable {
			continue
		}
		n++
		parent.group = cmp.Or(parent.group, parent.id)
		parent.active = &off
		for _, sku := range parent.variants {
			if k, ok := at[sku]; ok && k != i && !rows[k].configurable && rows[k].group == "" {
				rows[k].group = parent.group
			}
		}
	}
	return n
}

// parseVisibility reads a Magento visibility cell: "Catalog, Search" (or
// empty) is found everywhere, "Catalog" in category listings only,
// "Search" by search only, and "Not Visible Individually" only as an
// option of the configurable product that lists it (hidden). Case and
// spaces do not matter; ok is false for anything else.
func parseVisibility(v string) (vis string, hidden, ok bool) {
	words := strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return r == ',' || r == ' ' || r == '/' || r == '&' })
	switch strings.Join(words, " ") {
	case "", "catalog search", "search catalog", "both":
		return "", false, true
	case "catalog":
		return models.VisibilityCatalog, false, true
	case "search":
		return models.VisibilitySearch, false, true
	case "not visible individually", "not visible":
		return "", true, true
	}
	return "", false, false
}

// hideLoneVariants stores not for sale the rows "Not Visible Individually"
// that no configurable product of the file lists: Magento shows such a
// product nowhere, and listed here it would be a card its merchant never
// showed (a spare part, a retired colour). A variant a configurable lists
// is shown as its option. Run before readConfigurables, which sets the
// configurables' own state; it returns how many rows it took off sale.
func hideLoneVariants(rows []productRow) int {
	listed := map[string]bool{}
	for _, r := range rows {
		if r.configurable {
			for _, sku := range r.variants {
				listed[sku] = true
			}
		}
	}
	n := 0
	off := false
	for i := range rows {
		if r := &rows[i]; r.hidden && !r.configurable && !listed[r.id] && r.group == "" {
			r.active = &off
			n++
		}
	}
	return n
}

// variantSKUs reads a configurable_variations cell: the variants' SKUs,
// "sku=TH100-OAT,color=Oatmeal|sku=TH100-SAG,color=Sage" → TH100-OAT,
// TH100-SAG; at most maxVariants.
func variantSKUs(cell string) []string {
	var out []string
	for v := range strings.SplitSeq(cell, "|") {
		for kv := range strings.SplitSeq(v, ",") {
			k, sku, ok := strings.Cut(kv, "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "sku") {
				if sku = strings.TrimSpace(sku); sku != "" && len(sku) <= maxIDLen && len(out) < maxVariants {
					out = append(out, sku)
				}
				break
			}
		}
	}
	return out
}

// fillFromGroups gives a variant row that left its category, brand or
// description empty its group's: the first row of the same group_id, in
// file order, that has one. Shop systems write those on the group's
// first row only (a Shopify handle's first row, a WooCommerce variable
// product's parent row), so without it every other variant was refused
// for an empty category.
func fillFromGroups(rows []productRow) {
	type shared struct{ category, brand, desc string }
	groups := map[string]*shared{}
	for _, row := range rows {
		if row.group == "" {
			continue
		}
		g := groups[row.group]
		if g == nil {
			g = &shared{}
			groups[row.group] = g
		}
		g.category = cmp.Or(g.category, row.rawCategory)
		g.brand = cmp.Or(g.brand, row.brand)
		g.desc = cmp.Or(g.desc, row.desc)
	}
	for i := range rows {
		if g := groups[rows[i].group]; g != nil {
			rows[i].rawCategory = cmp.Or(rows[i].rawCategory, g.category)
			rows[i].brand = cmp.Or(rows[i].brand, g.brand)
			rows[i].desc = cmp.Or(rows[i].desc, g.desc)
		}
	}
}

// parseProductRow validates one product row; every bad field is reported.
func parseProductRow(c *csvFile, rec []string, line int, probs *problems) (productRow, bool) {
	row := productRow{line: line}
	before := probs.total
	bad := func(field, format string, args ...any) { probs.add(c.name, line, field, format, args...) }
	text := func(field string, maxLen int, required bool) string {
		v, _ := c.get(rec, field)
		switch {
		case required && v == "":
			bad(field, "is empty")
		case models.TextProblem(v) != "":
			// A NUL failed PostgreSQL's whole import with its own error,
			// not this file's line; SQLite stored it in the title.
			bad(field, "%s", models.TextProblem(v))
		case utf8.RuneCountInString(v) > maxLen:
			bad(field, "is longer than %d characters", maxLen)
		}
		return v
	}
	row.id = text("id", maxIDLen, true)
	if strings.ContainsFunc(row.id, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		bad("id", "contains control characters")
	}
	row.title = text("title", maxTitleLen, true)
	row.desc = descriptionText(text("description", maxDescriptionLen, false))
	row.brand = text("brand", maxNameLen, false)
	if _, has := c.get(rec, "group_id"); has {
		row.group = text("group_id", maxIDLen, false)
	}
	if v, has := c.get(rec, "visibility"); has {
		vis, hidden, ok := parseVisibility(v)
		if !ok {
			probs.add(c.name, line, "visibility", "%s is not a visibility: want Not Visible Individually, Catalog, Search or Catalog, Search (as Magento writes them), or empty", short(v))
		}
		row.visibility, row.hidden = vis, hidden
	}
	if v, _ := c.get(rec, "product_type"); strings.EqualFold(v, "configurable") {
		cell, _ := c.get(rec, "configurable_variations")
		row.configurable, row.variants = true, variantSKUs(cell)
	}
	// Split into levels once the whole file is read: its separator is
	// the file's, which readProducts chooses from every row.
	// A variant row may leave its category to its group (Shopify's and
	// WooCommerce's variant rows carry none): filled from the group's
	// other rows once the whole file is read (fillFromGroups).
	row.rawCategory = text("category", maxCategoryDepth*maxNameLen, row.group == "")
	price := func(field string) (int64, bool) {
		v, _ := c.get(rec, field)
		amount, cur := models.SplitCurrency(v)
		if code := models.CurrencyCode(cur); code != "" {
			if c.currency == "" {
				c.currency, c.currencyLine = code, line
			} else if code != c.currency {
				bad(field, "%s is in %s, line %d's prices in %s: a file's prices are in one currency", short(v), code, c.currencyLine, c.currency)
				return 0, false
			}
		}
		cents, err := models.ParsePrice(amount)
		if err != nil {
			bad(field, "%v", err)
			return 0, false
		}
		return cents, true
	}
	row.price, _ = price("price")
	var err error
	v, _ := c.get(rec, "stock")
	if n, err := strconv.Atoi(models.ZeroDecimals(v, 0)); err != nil {
		bad("stock", "cannot parse %s as a whole number", short(v))
	} else if n < 0 || n > maxStock {
		bad("stock", "%d is out of range 0..%d", n, maxStock)
	} else {
		row.stock = n
	}
	if v, _ = c.get(rec, "created_at"); v != "" {
		if row.created, err = parseCreated(v); err != nil {
			bad("created_at", "%v", err)
		} else if now := time.Now(); row.created.After(now.Add(models.EventClockSkew)) {
			// A product dated ahead would lead "New arrivals" and the
			// "Newest" order until that date (a system's 2099 for "no
			// date", a mistyped year), as an event dated ahead is refused.
			bad("created_at", "%s is more than a day ahead of the shop's clock (%s): a product's created_at is when it came into the catalog",
				row.created.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
	}
	if v, has := c.get(rec, "image_url"); has && v != "" {
		v, row.imageListed = firstImage(v)
		if err := checkImageURL(v); err != nil {
			bad("image_url", "%s: %v", short(v), err)
		}
		row.image = v
	}
	if v, has := c.get(rec, "compare_at_price"); has && v != "" {
		var ok bool
		if row.compare, ok = price("compare_at_price"); !ok {
			row.compare = 0
		} else if row.compare <= row.price {
			bad("compare_at_price", "%s must be above the price (it is the regular price of a product on sale)", short(v))
		}
	}
	if v, has := c.get(rec, "active"); has && v != "" {
		if on, ok := parseActive(v); ok {
			row.active = &on
		} else {
			bad("active", "%s is not a product's status: write true or false (also read: 1/0, yes/no, published/draft, enabled/disabled, private, archived, and WooCommerce's -1 for a draft)", short(v))
		}
	}
	return row, probs.total == before
}

// parseActive reads an active cell: the catalog export's true/false, and
// what other shop systems write in their status or published column
// (WooCommerce's 1, 0 for private and -1 for a draft; Shopify's active,
// draft and archived), in any case.
func parseActive(v string) (active, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes", "y", "active", "published", "publish", "visible", "enabled":
		return true, true
	case "false", "0", "-1", "no", "n", "inactive", "draft", "private", "pending", "archived", "hidden", "disabled":
		return false, true
	}
	return false, false
}

// splitCategoryList splits a category cell at its commas, except those
// written "\," (WooCommerce's export lists a product's categories so,
// "Clothing, Clothing > Hoodies", and writes a comma in a name as "\,").
func splitCategoryList(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ',' && (i == 0 || s[i-1] != '\\') {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// listedCategories reads the category cells of one products file: whether
// a comma separates categories (lists: some cell's second category is a
// path in the file's separator sep, as WooCommerce's and Magento's exports
// write them), whether a bar does (bars: see barLists), and, for choosing
// among a cell's categories, each category's spread.
type listedCategories struct {
	lists, bars bool
	sep         string
	// spread is, for each category a cell lists beside others (by key),
	// the mean number of distinct categories listed beside each of its
	// companions: a department is listed beside tags that come with every
	// department ("Pans" beside "Gifts" and "Sale": high), a tag beside
	// departments that come with few ("Gifts" beside "Pans", "Mugs": low).
	spread map[string]float64
}

// parts is the categories cell lists: itself alone when it lists none.
func (lc listedCategories) parts(cell string) []string {
	if lc.bars && strings.Contains(cell, "|") {
		return strings.Split(cell, "|")
	}
	if lc.lists {
		return splitCategoryList(cell)
	}
	return []string{cell}
}

// listKey is how a listed category is compared: spaces collapsed,
// any letter case.
func listKey(p string) string {
	return strings.ToLower(strings.Join(strings.Fields(p), " "))
}

// What spreadOf learns from is bounded, so that a file's category lists
// cost what a shop's real ones do: a cell of 600 characters lists up to 300
// categories, and every pair of them was a set entry, so 2,000 rows of 150
// made 45 million (1.2 MB of file: 106 s and 2.5 GB of memory, enough
// in a 64 MiB upload to take the server down). A product is listed in a
// handful of categories; a department and a tag are told apart long
// before the limits.
const (
	maxSpreadParts = 32      // the listed categories of one cell taken, the first ones
	maxSpreadPairs = 1 << 20 // distinct pairs of categories kept, the first ones met
)

// spreadOf computes spread over the rows' cells.
func (lc listedCategories) spreadOf(rows []productRow) map[string]float64 {
	if !lc.lists && !lc.bars {
		return nil
	}
	beside := map[string]map[string]bool{}
	pairs := 0
	var keys []string
	for _, r := range rows {
		parts := lc.parts(r.rawCategory)
		if len(parts) < 2 {
			continue
		}
		keys = keys[:0]
		for _, p := range parts[:min(len(parts), maxSpreadParts)] {
			if k := listKey(p); k != "" && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		for _, ka := range keys {
			for _, kb := range keys {
				if kb == ka || beside[ka][kb] || pairs >= maxSpreadPairs {
					continue
				}
				if beside[ka] == nil {
					beside[ka] = map[string]bool{}
				}
				beside[ka][kb] = true
				pairs++
			}
		}
	}
	spread := make(map[string]float64, len(beside))
	for k, bs := range beside {
		sum := 0
		for b := range bs {
			sum += len(beside[b])
		}
		spread[k] = float64(sum) / float64(len(bs))
	}
	return spread
}

// categoryOf is the category a cell files its product under. A cell that
// lists categories ("Coffee, Coffee > Single Origin", Magento's "Default
// Category/Living,Default Category/Living/Throws", "Pans|Gifts|Sale") files
// it under the deepest, and of those as deep under the one of the widest
// spread (the department, not a tag such as "Gifts" or "Sale" that comes
// with every department), the first of those (the shop files a product
// under one category); listed says the cell named more than one. Otherwise
// a comma or a bar is part of a name ("Tables, Chairs").
func (lc listedCategories) categoryOf(cell string) (path string, listed bool) {
	parts := lc.parts(cell)
	if len(parts) == 1 && !lc.lists {
		return cell, false
	}
	best, depth, spread := "", -1, 0.0
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		d, s := strings.Count(p, lc.sep), lc.spread[listKey(p)]
		if d > depth || d == depth && s > spread {
			best, depth, spread = p, d, s
		}
	}
	if best == "" {
		best = cell
	}
	return strings.TrimSpace(strings.ReplaceAll(best, `\,`, ",")), len(parts) > 1
}

// barLists finds whether a products file's category cells list categories
// separated by bars ("Pans|Gifts|Sale"; "Music|Clothing > Tees", as
// WooCommerce's product export plugins write them) rather than name one
// with a bar in it ("Audio > Hi-Fi | Stereo"): some cell's part after a
// bar is a path, or a name comes first in one cell and after a bar in
// another (a list in no fixed order). A file separating its columns with
// bars has none.
type barLists struct {
	off                  bool
	first, later         map[string]bool
	gt, slash, unordered bool
}

func newBarLists(comma rune) *barLists {
	return &barLists{off: comma == '|', first: map[string]bool{}, later: map[string]bool{}}
}

func (b *barLists) see(cell string) {
	if b.off || !strings.Contains(cell, "|") {
		return
	}
	for i, p := range strings.Split(cell, "|") {
		if i > 0 {
			b.gt = b.gt || strings.Contains(p, ">")
			b.slash = b.slash || strings.Contains(p, "/")
		}
		k := listKey(p)
		if i == 0 {
			b.first[k] = true
			b.unordered = b.unordered || b.later[k]
		} else {
			b.later[k] = true
			b.unordered = b.unordered || b.first[k]
		}
	}
}

// lists says whether the bars the file's cells hold separate categories,
// for a file whose paths are separated by sep.
func (b *barLists) lists(sep string) bool {
	if b.off {
		return false
	}
	return b.unordered || sep == ">" && b.gt || sep == "/" && b.slash
}

// firstImage is the first address of an image_url cell that lists several
// (WooCommerce's "Images": "https://…/a.jpg, https://…/b.jpg"): a comma
// followed by another http(s) address ends it. A comma inside an address
// ("…/w_400,h_300/a.jpg") is kept.
func firstImage(cell string) (first string, listed bool) {
	for i := strings.IndexByte(cell, ','); i >= 0; {
		rest := strings.TrimLeft(cell[i+1:], " \t")
		if strings.HasPrefix(rest, "https://") || strings.HasPrefix(rest, "http://") {
			return strings.TrimSpace(cell[:i]), true
		}
		j := strings.IndexByte(cell[i+1:], ',')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return cell, false
}

// parseCategoryPath splits a category path into its levels at sep: ">"
// ("Outdoor > Tents") in a file that writes any path with ">", where "/"
// is part of a name ("Media > CD/DVD", "Cables / Adapters"); "/" in a file
// that never uses ">" ("Outdoor/Tents", as some shop exports write paths).
func parseCategoryPath(s, sep string) ([]string, error) {
	parts := strings.Split(s, sep)
	if len(parts) > maxCategoryDepth {
		return nil, fmt.Errorf("is deeper than %d levels", maxCategoryDepth)
	}
	for i, p := range parts {
		p = strings.Join(strings.Fields(p), " ")
		if p == "" {
			// Often a name holding the separator ("Tools <Pro>"): say so.
			if sep == "/" {
				return nil, errors.New(`has an empty level (this file separates levels with "/", as it writes no path with ">"; to use "/" in a name, write the paths with ">", e.g. "Media > CD/DVD")`)
			}
			return nil, fmt.Errorf(`has an empty level (levels are separated by "%s", which a category's name cannot contain)`, sep)
		}
		if utf8.RuneCountInString(p) > maxNameLen {
			return nil, fmt.Errorf("has a level longer than %d characters", maxNameLen)
		}
		parts[i] = p
	}
	return parts, nil
}

// Product timestamps outside these years are almost certainly unit mistakes.
const (
	minYear = 1970
	maxYear = 2200
)

func parseTimestamp(s string) (time.Time, error) {
	t, err := models.ParseRFC3339(s)
	if err != nil {
		return time.Time{}, notRFC3339(s)
	}
	if y := t.Year(); y < minYear || y > maxYear {
		return time.Time{}, fmt.Errorf("%s is outside the years %d–%d", short(s), minYear, maxYear)
	}
	return t.UTC(), nil
}

// parseCreated reads when a product was added to the catalog: a timestamp,
// a date alone (2026-03-01, as catalog exports write it), the start of
// that day in UTC, or a date and time without a UTC offset (2026-03-01
// 10:00:00, as Magento's export writes created_at), that time in UTC. A
// day is what "new arrivals" and launches need, so a shop's offset, at
// most 14 hours, changes nothing that matters here; an event's time, which
// orders what a shopper did, still needs its offset (parseEventTime).
func parseCreated(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		s = d.Format(time.RFC3339)
	} else if d, err := time.Parse("2006-01-02T15:04:05.999999999", strings.Replace(v, " ", "T", 1)); err == nil {
		s = d.Format(time.RFC3339Nano)
	}
	t, err := parseTimestamp(s)
	if err != nil && strings.HasSuffix(err.Error(), "(like 2026-03-01T12:00:00Z)") {
		// A date in a locale's order, as Magento's export writes it ("6/5/25,
		// 7:51 AM"), is not read: June 5 or May 6?
		hint := ""
		if strings.Count(strings.Fields(s + " x")[0], "/") == 2 {
			hint = ": a date with slashes may be month or day first; write it year first"
		}
		return t, fmt.Errorf("cannot parse %s as a date (2026-03-01) or a time in RFC 3339 (2026-03-01T12:00:00Z)%s", short(s), hint)
	}
	return t, err
}

// parseEventTime reads an event's timestamp, inside the window every event
// source shares (models.CheckEventTime).
func parseEventTime(s string, now time.Time) (time.Time, error) {
	t, err := models.ParseRFC3339(s)
	if err != nil {
		return time.Time{}, notRFC3339(s)
	}
	return t.UTC(), models.CheckEventTime(t, now)
}

// notRFC3339 says why s is not a timestamp the import takes, and for the
// forms exports often hold instead, what to write: a time without its
// offset is not one instant, and Unix time is ambiguous in its unit.
func notRFC3339(s string) error {
	hint := ""
	v := strings.Replace(strings.TrimSpace(s), " ", "T", 1)
	if _, err := time.Parse("2006-01-02T15:04:05.999999999", v); err == nil {
		hint = ": it has no UTC offset; add Z if it is UTC (2026-03-01T12:00:00Z) or the offset it was written in (2026-03-01T12:00:00+01:00)"
	} else if _, err := time.Parse(time.DateOnly, v); err == nil {
		hint = ": a date needs a time and a UTC offset (2026-03-01T00:00:00Z)"
	} else if _, err := strconv.ParseInt(v, 10, 64); err == nil && len(v) >= 9 {
		hint = ": Unix time is not taken; write it as RFC 3339 (2026-03-01T12:00:00Z)"
	} else if _, err := time.Parse("2006-01-02T15:04:05.999999999-0700", v); err == nil {
		// Python's %z, ISO 8601's basic form.
		hint = ": its UTC offset needs a colon (+05:30, not +0530)"
	} else if _, err := models.ParseRFC3339(v); err != nil {
		// The right form with a day, hour or minute that does not exist
		// (2025-02-29, 24:00): say which.
		var pe *time.ParseError
		if errors.As(err, &pe) && strings.HasSuffix(pe.Message, "out of range") {
			hint = pe.Message
		}
	}
	return fmt.Errorf("cannot parse %s as RFC 3339 (like 2026-03-01T12:00:00Z)%s", short(s), hint)
}

func checkImageURL(s string) error {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an http(s) URL or a path starting with /")
	}
	if onShoppersOwnNetwork(u.Hostname()) {
		return errors.New("is an address on the shopper's own computer or network (loopback, private or link-local), which every shopper's browser would be sent to: give the picture's public address")
	}
	return nil
}

// browserIPv4 reads host as a browser reads an IPv4 address (the WHATWG
// URL standard): one to four parts, each decimal, 0x hex or 0-led octal,
// the last filling the bytes left, so 127.1, 2130706433 and 0x7f.0.0.1 are
// all 127.0.0.1, which net.ParseIP does not read. nil when it is not one.
func browserIPv4(host string) net.IP {
	parts := strings.Split(host, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 || len(parts) > 4 {
		return nil
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		base := 10
		switch {
		case len(p) > 1 && (p[:2] == "0x" || p[:2] == "0X"):
			p, base = p[2:], 16
			if p == "" {
				p = "0"
			}
		case len(p) > 1 && p[0] == '0':
			p, base = p[1:], 8
		}
		n, err := strconv.ParseUint(p, base, 64)
		if err != nil {
			return nil
		}
		nums[i] = n
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return nil
		}
		v |= n << (8 * (3 - i))
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return nil
	}
	v |= last
	return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// onShoppersOwnNetwork reports whether host names a machine a shopper's
// browser reaches on its own computer or network rather than on the
// internet: an IP address that is loopback, private (RFC 1918, RFC 4193),
// link-local (169.254.169.254, a cloud's metadata service), unspecified or
// multicast, or localhost. A picture there has every shopper's browser
// request it: a GET to their router's or printer's page (a request forged
// in their name, with whatever that page does), a probe of what runs on
// their machine, or a "this site wants to reach devices on your local
// network" prompt. Names that resolve to such an address are not looked
// up: the shop fetches no picture, and a name's address can change.
func onShoppersOwnNetwork(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	if ip == nil {
		ip = browserIPv4(h)
	}
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast())
}

// write upserts the products and creates missing categories.
func (pf *productFile) write(b *models.BulkTx, existing map[string]uint, sum *ImportSummary) error {
	cats, err := newCategoryTree(b)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	var fresh, keepCreated []models.Product
	for _, r := range pf.rows {
		catID, err := cats.resolve(r.category)
		if err != nil {
			return err
		}
		p := models.Product{
			ExternalID: r.id, Slug: models.Slugify(r.title), Title: r.title, Description: r.desc,
			Brand: r.brand, CategoryID: catID, PriceCents: r.price, CompareAtCents: r.compare, Stock: r.stock, ImageURL: r.image, GroupID: r.group,
			Visibility: r.visibility, Active: true, CreatedAt: r.created, UpdatedAt: now,
		}
		_, exists := existing[r.id]
		if exists {
			sum.ProductsUpdated++
		} else {
			sum.ProductsCreated++
		}
		if p.CreatedAt.IsZero() {
			p.CreatedAt = now
			if exists {
				keepCreated = append(keepCreated, p)
				continue
			}
		}
		fresh = append(fresh, p)
	}
	sum.CategoriesCreated = cats.created
	if err := b.UpsertProducts(fresh, models.UpsertOptions{KeepImage: !pf.withImage, KeepCompareAt: !pf.withCompare, KeepGroup: !pf.withGroup, KeepVisibility: !pf.withVisibility}); err != nil {
		return err
	}
	return b.UpsertProducts(keepCreated, models.UpsertOptions{KeepImage: !pf.withImage, KeepCompareAt: !pf.withCompare, KeepGroup: !pf.withGroup, KeepVisibility: !pf.withVisibility, KeepCreatedAt: true})
}

// categoryTree finds categories by path, creating the missing ones.
type categoryTree struct {
	b       *models.BulkTx
	byName  map[categoryKey]uint
	slugs   map[string]bool
	slugOf  map[uint]string
	next    map[uint]int // next position under a parent (0 = top level)
	created int
}

type categoryKey struct {
	parent uint
	name   string // lower-cased
}

func newCategoryTree(b *models.BulkTx) (*categoryTree, error) {
	all, err := b.Categories()
	if err != nil {
		return nil, err
	}
	t := &categoryTree{b: b, byName: map[categoryKey]uint{}, slugs: map[string]bool{}, slugOf: map[uint]string{}, next: map[uint]int{}}
	for _, c := range all {
		var parent uint
		if c.ParentID != nil {
			parent = *c.ParentID
		}
		t.byName[categoryKey{parent, strings.ToLower(c.Name)}] = c.ID
		t.slugs[c.Slug] = true
		t.slugOf[c.ID] = c.Slug
		t.next[parent] = max(t.next[parent], c.Position)
	}
	return t, nil
}

func (t *categoryTree) resolve(path []string) (uint, error) {
	var parent uint
	for _, name := range path {
		key := categoryKey{parent, strings.ToLower(name)}
		if id, ok := t.byName[key]; ok {
			parent = id
			continue
		}
		slug := models.Slugify(name)
		if slug == "" || t.slugs[slug] {
			if ps := t.slugOf[parent]; ps != "" {
				slug = strings.Trim(ps+"-"+slug, "-")
			}
		}
		if slug == "" {
			slug = "category"
		}
		base := slug
		for i := 2; t.slugs[slug]; i++ {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		t.next[parent]++
		c := models.Category{Name: name, Slug: slug, Position: t.next[parent]}
		if parent != 0 {
			p := parent
			c.ParentID = &p
		}
		cs := []models.Category{c}
		if err := t.b.CreateCategories(cs); err != nil {
			return 0, err
		}
		t.byName[key] = cs[0].ID
		t.slugs[slug] = true
		t.slugOf[cs[0].ID] = slug
		t.created++
		parent = cs[0].ID
	}
	return parent, nil
}

// --- events ---------------------------------------------------------------

// importEvent is a validated event row; strings are interned in eventSet.
type importEvent struct {
	at      int64 // unix nanoseconds
	value   float64
	user    int32
	product int32
	typ     uint8
}

var importTypes = map[string]uint8{
	models.EventView: evView, models.EventClick: evClick, models.EventAddToCart: evCart, models.EventPurchase: evPurchase,
}

type eventSet struct {
	progress func(format string, args ...any) // reports large inserts
	rows     int                              // valid rows read
	preview  []PreviewEvent                   // the first valid rows
	events   []importEvent
	users    []string
	userIdx  map[string]int32
	products []string
	prodIdx  map[string]int32
}

func newEventSet() *eventSet {
	return &eventSet{userIdx: map[string]int32{}, prodIdx: map[string]int32{}}
}

func intern(s string, idx map[string]int32, list *[]string) int32 {
	if i, ok := idx[s]; ok {
		return i
	}
	s = strings.Clone(s) // the CSV reader reuses its buffer
	i := int32(len(*list))
	idx[s] = i
	*list = append(*list, s)
	return i
}

// looseID is a product id without its leading zeros, in lower case: a
// spreadsheet that opened an export reads 00042 as the number 42, and
// systems differ in the case of a SKU.
func looseID(id string) string {
	return strings.ToLower(strings.TrimLeft(id, "0"))
}

// normalProductIDs indexes the stored product ids by the form they are
// matched in (models.ProductMatchID).
func normalProductIDs(existing map[string]uint) map[string]string {
	out := make(map[string]string, len(existing))
	for id := range existing {
		addNormalID(out, id)
	}
	return out
}

// addNormalID adds id to the index by the form it is matched in; of two ids
// in one form, the one written in it wins, so the choice does not depend on
// map order.
func addNormalID(byNormal map[string]string, id string) {
	n := models.ProductMatchID(id)
	if held, ok := byNormal[n]; !ok || held != n && (id == n || id < held) {
		byNormal[n] = id
	}
}

// matchStored gives a row whose id the shop holds in another Unicode
// normal form the stored id, so the import updates that product rather
// than adding a second one beside it (as a full catalog, deactivating
// the first).
func (pf *productFile) matchStored(existing map[string]uint, byNormal map[string]string) {
	for i := range pf.rows {
		r := &pf.rows[i]
		if _, ok := existing[r.id]; ok {
			continue
		}
		held, ok := byNormal[models.ProductMatchID(r.id)]
		if !ok {
			continue
		}
		if _, dup := pf.byID[held]; dup {
			continue // the file names both: two products, as written
		}
		pf.byID[held] = pf.byID[r.id]
		delete(pf.byID, r.id)
		r.id = held
	}
}

// readEvents reads an events file; resolve gives the catalog's id of a
// product id (in any Unicode normal form), false for an unknown one; like
// names the product whose id differs from an unknown one only as looseID
// forgives (or "").
func readEvents(ctx context.Context, path string, resolve func(string) (string, bool), like func(string) string, es *eventSet, probs *problems) error {
	c, err := openCSV(path, eventColumns, eventOptionalColumns, probs)
	if err != nil || c == nil {
		return err
	}
	defer c.f.Close()
	now := time.Now()
	// Rows naming products the shop does not have, most often products
	// deleted from the shop whose history its events export still holds.
	var unknownRows, firstUnknown int
	unknownIDs := map[string]struct{}{}
	for n := 0; ; n++ {
		if n%50_000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		rec, line, ok := c.next(probs)
		if !ok {
			if unknownRows > 1 {
				probs.note(c.name, firstUnknown, "product_id", "%d rows name %d product %s in neither the products file nor the shop, as an export does that still holds the history of products deleted from the shop: to keep that history for recommendations, add them to the products file with active false (hidden from shoppers, where stock 0 would list them as sold out); or leave their rows out",
					unknownRows, len(unknownIDs), plural(len(unknownIDs), "id", "ids"))
			}
			return nil
		}
		before := probs.total
		bad := func(field, format string, args ...any) { probs.add(c.name, line, field, format, args...) }
		var e importEvent
		user, _ := c.get(rec, "user_id")
		if problem := userIDProblem(user); problem != "" {
			bad("user_id", "%s", problem)
		}
		pid, _ := c.get(rec, "product_id")
		held, known := resolve(pid)
		switch {
		case pid == "":
			bad("product_id", "is empty")
		case !known:
			if l := like(pid); l != "" {
				bad("product_id", "unknown product id %s (not in the database or the products file; the shop has %s: the same but for leading zeros, which a spreadsheet drops, or letter case)", short(pid), short(l))
				break
			}
			bad("product_id", "unknown product id %s (not in the database or the products file)", short(pid))
			if unknownRows++; unknownRows == 1 {
				firstUnknown = line
			}
			if len(unknownIDs) < maxUnknownIDs {
				unknownIDs[strings.Clone(pid)] = struct{}{}
			}
		}
		typ, _ := c.get(rec, "type")
		// A type is a keyword, read in any case as the header's names
		// are: an export's "Purchase" or "ADD_TO_CART" is a purchase, a cart.
		if t, ok := importTypes[strings.ToLower(typ)]; ok {
			typ = strings.ToLower(typ)
			e.typ = t
		} else {
			bad("type", "%s is not one of view, click, add_to_cart, purchase", short(typ))
		}
		ts, _ := c.get(rec, "timestamp")
		if t, err := parseEventTime(ts, now); err != nil {
			bad("timestamp", "%v", err)
		} else {
			e.at = t.UnixNano()
		}
		if v, has := c.get(rec, "value"); has && v != "" {
			f, err := strconv.ParseFloat(v, 64)
			switch {
			case errors.Is(err, strconv.ErrRange) || err == nil && (math.Abs(f) > models.MaxEventValue || math.IsInf(f, 0)):
				bad("value", "%s is out of range: a rating, quantity or amount is at most %g", short(v), float64(models.MaxEventValue))
			case err == nil && math.IsNaN(f):
				bad("value", "%s is not a number", short(v))
			case err != nil && strings.Count(v, ",") == 1 && !strings.Contains(v, "."):
				if _, err2 := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64); err2 == nil {
					bad("value", "cannot parse %s as a number: write decimals with a point (%s)", short(v), short(strings.Replace(v, ",", ".", 1)))
					break
				}
				fallthrough
			case err != nil:
				bad("value", "cannot parse %s as a number", short(v))
			case f < 0:
				bad("value", "%s is negative; ratings, purchase values and quantities are 0 or more", short(v))
			}
			e.value = f
		}
		if probs.total > before {
			continue
		}
		es.rows++
		if len(es.preview) < previewRows {
			es.preview = append(es.preview, PreviewEvent{Line: line, User: strings.Clone(user), Product: strings.Clone(pid), Type: typ, Timestamp: time.Unix(0, e.at).UTC()})
		}
		// A customer is matched in normal form C, as recommend and the
		// API ask for one (models.NormalID). Known also in a refused
		// import: a customers file's rows are checked against them.
		e.user = intern(models.NormalID(user), es.userIdx, &es.users)
		if probs.total > 0 {
			continue // already refused: keep validating without storing
		}
		e.product = intern(held, es.prodIdx, &es.products)
		es.events = append(es.events, e)
	}
}

// write inserts the events (and accounts for new user ids) a chunk at a time.
func (es *eventSet) write(ctx context.Context, b *models.BulkTx, sum *ImportSummary) error {
	ids, err := b.ProductIDs()
	if err != nil {
		return err
	}
	productIDs := make([]uint, len(es.products))
	for i, ext := range es.products {
		id, ok := ids[ext]
		if !ok { // validated before; only a concurrent delete gets here
			return fmt.Errorf("product %s disappeared during import", short(ext))
		}
		productIDs[i] = id
	}
	// A customer deleted on request (a tombstone) is not brought back by
	// the next export that still lists them: their events are left out,
	// and no account is made for them.
	forgotten, err := b.ForgottenUsers()
	if err != nil {
		return err
	}
	if len(forgotten) > 0 {
		sum.EventsForgotten = es.dropUsers(func(u string) bool { return forgotten[u] || forgotten[u+"~imported"] })
		if sum.EventsForgotten > 0 && es.progress != nil {
			es.progress("%d %s of deleted customers left out", sum.EventsForgotten, plural(sum.EventsForgotten, "event", "events"))
		}
	}
	// Each customer's events go under their own key: one a registered
	// account already uses is never theirs (models.BulkTx.ImportShoppers).
	var accounts []string
	var at []int
	for i, u := range es.users {
		if !strings.HasPrefix(u, "v:") { // anonymous visitors have no account
			accounts, at = append(accounts, u), append(at, i)
		}
	}
	keys, n, err := b.ImportShoppers(accounts)
	if err != nil {
		return err
	}
	for k, i := range at {
		if keys[k] != accounts[k] {
			sum.Renamed = append(sum.Renamed, RenamedCustomer{UserID: accounts[k], Key: keys[k]})
		}
		es.users[i] = keys[k]
	}
	sum.ShoppersCreated = int(n)
	have, err := b.CountEvents()
	if err != nil {
		return err
	}
	if have > 0 {
		if sum.EventsSkipped, err = es.dropStored(b, productIDs); err != nil {
			return err
		}
		if sum.EventsSkipped > 0 && es.progress != nil {
			es.progress("%d %s already stored, skipped", sum.EventsSkipped, plural(sum.EventsSkipped, "event", "events"))
		}
	}
	insert := func() error { return es.insert(ctx, b, productIDs) }
	if int64(len(es.events)) > have/2 {
		err = b.WithoutEventIndexes(insert)
	} else {
		err = insert()
	}
	if err != nil {
		return err
	}
	sum.Events = len(es.events)
	return nil
}

// dropUsers removes the events of the users gone says, and those users
// (es.users keeps its indexes: a removed user's name becomes ""; an
// anonymous "v:" id makes no account), and returns how many events it
// removed.
func (es *eventSet) dropUsers(gone func(string) bool) int {
	drop := make([]bool, len(es.users))
	found := false
	for i, u := range es.users {
		if gone(u) {
			drop[i], found = true, true
		}
	}
	if !found {
		return 0
	}
	kept := es.events[:0]
	for _, e := range es.events {
		if !drop[e.user] {
			kept = append(kept, e)
		}
	}
	n := len(es.events) - len(kept)
	es.events = kept
	for i := range es.users {
		if drop[i] {
			es.users[i] = "v:" // never looked up as an account
		}
	}
	return n
}

// dropBefore removes the events made before t and returns how many.
func (es *eventSet) dropBefore(t time.Time) int {
	cut := t.UnixNano()
	kept := es.events[:0]
	for _, e := range es.events {
		if e.at >= cut {
			kept = append(kept, e)
		}
	}
	n := len(es.events) - len(kept)
	es.events = kept
	return n
}

// eventKey is what makes two events the same one: customer, product,
// type, time (to the microsecond PostgreSQL keeps) and value.
type eventKey struct {
	at      int64 // unix microseconds
	value   float64
	user    int32
	product int32
	typ     uint8
}

func compareEventKeys(a, b eventKey) int {
	return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.user, b.user), cmp.Compare(a.product, b.product),
		cmp.Compare(a.typ, b.typ), cmp.Compare(a.value, b.value))
}

// dropStored removes from the set the events already stored, and returns
// how many it removed: a nightly export that overlaps the last one, or the
// same file imported twice, adds only what is new. It counts: a file
// holding an event three times (a daily export stamps a day's views of a
// product alike) over a database holding it once stores two more, so an
// import is idempotent and rows repeated within one file all count.
// es.users must hold the keys the events go under.
func (es *eventSet) dropStored(b *models.BulkTx, productIDs []uint) (int, error) {
	if len(es.events) == 0 {
		return 0, nil
	}
	lo, hi := es.events[0].at, es.events[0].at
	for _, e := range es.events {
		lo, hi = min(lo, e.at), max(hi, e.at)
	}
	userIdx := make(map[string]int32, len(es.users))
	for i, u := range es.users {
		userIdx[u] = int32(i)
	}
	prodIdx := make(map[uint]int32, len(productIDs))
	for i, id := range productIDs {
		prodIdx[id] = int32(i)
	}
	var stored []eventKey
	err := b.EventsBetween(time.Unix(0, lo), time.Unix(0, hi), func(e models.StoredEvent) error {
		u, ok := userIdx[e.UserKey]
		if !ok {
			return nil
		}
		p, ok := prodIdx[e.ProductID]
		if !ok {
			return nil
		}
		typ, ok := importTypes[e.Type]
		if !ok {
			return nil
		}
		stored = append(stored, eventKey{at: e.CreatedAt.UnixMicro(), value: e.Value, user: u, product: p, typ: typ})
		return nil
	})
	if err != nil || len(stored) == 0 {
		return 0, err
	}
	key := func(e importEvent) eventKey {
		return eventKey{at: time.Unix(0, e.at).UnixMicro(), value: e.value, user: e.user, product: e.product, typ: e.typ}
	}
	order := make([]int32, len(es.events))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return compareEventKeys(key(es.events[a]), key(es.events[b])) })
	slices.SortFunc(stored, compareEventKeys)
	drop := make([]bool, len(es.events))
	skipped := 0
	for i, j := 0, 0; i < len(order) && j < len(stored); {
		switch c := compareEventKeys(key(es.events[order[i]]), stored[j]); {
		case c < 0:
			i++
		case c > 0:
			j++
		default: // one stored event answers for one row of the file
			drop[order[i]] = true
			skipped++
			i, j = i+1, j+1
		}
	}
	kept := es.events[:0]
	for i, e := range es.events {
		if !drop[i] {
			kept = append(kept, e)
		}
	}
	es.events = kept
	return skipped, nil
}

func (es *eventSet) insert(ctx context.Context, b *models.BulkTx, productIDs []uint) error {
	const chunk = 20_000
	buf := make([]models.Event, 0, chunk)
	for start := 0; start < len(es.events); start += chunk {
		buf = buf[:0]
		for _, e := range es.events[start:min(start+chunk, len(es.events))] {
			buf = append(buf, models.Event{
				UserKey: es.users[e.user], ProductID: &productIDs[e.product], Type: eventTypeNames[e.typ],
				Value: e.value, CreatedAt: time.Unix(0, e.at).UTC(),
			})
		}
		if err := b.InsertEvents(buf); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if es.progress != nil && len(es.events) > chunk {
			es.progress("wrote %d of %d events", min(start+chunk, len(es.events)), len(es.events))
		}
	}
	return nil
}

// userIDProblem says what is wrong with a user_id of an import file ("" if
// nothing): the events file and the customers file name customers alike.
func userIDProblem(user string) string {
	switch {
	case user == "":
		return "is empty"
	case len(user) > maxIDLen:
		return fmt.Sprintf("is longer than %d characters", maxIDLen)
	case models.TextProblem(user) != "":
		return models.TextProblem(user)
	case strings.ContainsAny(user, "\r\n"):
		// recommend's users file names one user per line: such a
		// customer could never be asked for there.
		return "holds a line break (a users file names one customer per line)"
	}
	return ""
}
