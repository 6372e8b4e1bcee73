package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/seed"
	"storefront/templates"
)

// maxImportUpload bounds one import's upload (both files together).
const maxImportUpload = 64 << 20

// importJobs keeps the plans of the uploaded imports this instance has
// read. The imports themselves (files, state, result) are stored in the
// database (models.ImportJob), so the upload, the apply and the progress
// page may each land on a different instance: one that has not seen an
// import reads its files back and plans it again.
//
// A plan holds the whole catalog it read (about 150 MB for a 60 MiB
// file), so at most keptImportPlans are kept, and only one upload is read
// and planned at a time (bigBodies): an admin who uploaded the same
// 60 MiB file eight times within the hour had the server hold 1.3 GiB.
type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*importJob
}

// keptImportPlans is how many imports' plans an instance keeps: those of
// the newest uploads (the shop keeps models.MaxPreviewedImports to be
// applied), and always the one it is applying.
const keptImportPlans = models.MaxPreviewedImports

// importJob is one uploaded import: previewed, then applied once.
type importJob struct {
	id      string
	dir     string
	opts    seed.ImportOptions
	plan    *seed.ImportPlan
	created time.Time

	mu       sync.Mutex
	state    string // previewed | running | done | failed
	local    bool   // being applied by this instance
	progress []string
	summary  *seed.ImportSummary
	err      string
}

func (j *importJob) Write(p []byte) (int, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		if line = strings.TrimSpace(strings.TrimPrefix(line, "import:")); line != "" {
			j.progress = append(j.progress, line)
		}
	}
	return len(p), nil
}

// load takes the stored state of the import, unless this instance is
// applying it and knows better.
func (j *importJob) load(st *models.ImportJob) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.local {
		return
	}
	j.state, j.err, j.summary = st.State, st.Error, nil
	if st.State != models.ImportPreviewed {
		j.progress = nil
		if st.Progress != "" {
			j.progress = strings.Split(st.Progress, "\n")
		}
	}
	if st.Summary != "" {
		var sum seed.ImportSummary
		if json.Unmarshal([]byte(st.Summary), &sum) == nil {
			j.summary = &sum
		}
	}
}

func (js *importJobs) get(id string) (*importJob, bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	j, ok := js.jobs[id]
	return j, ok
}

// close forgets the plans this instance is not applying and deletes their
// files: an import previewed and left, or previewed on this instance and
// applied on another, left its upload in the temporary directory after the
// shop stopped. Its stored copy in the database stays, so another instance
// (or this one after a restart) reads it back when the admin applies it. An
// import being applied deletes its own files when it ends.
func (js *importJobs) close() {
	js.mu.Lock()
	defer js.mu.Unlock()
	for id, j := range js.jobs {
		if !j.applying() {
			js.forget(id)
		}
	}
}

// forget deletes a kept job's files and plan; js.mu is held.
func (js *importJobs) forget(id string) {
	os.RemoveAll(js.jobs[id].dir)
	delete(js.jobs, id)
}

// applying reports whether this instance is applying the job.
func (j *importJob) applying() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.local
}

// add keeps a job's plan and forgets those older than an hour, and the
// oldest beyond keptImportPlans (never one this instance is applying).
func (js *importJobs) add(j *importJob) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.jobs == nil {
		js.jobs = map[string]*importJob{}
	}
	var idle []*importJob // not being applied here, oldest first
	for id, old := range js.jobs {
		local := old.applying()
		switch {
		case !local && time.Since(old.created) > time.Hour:
			js.forget(id)
		case !local:
			idle = append(idle, old)
		}
	}
	sort.Slice(idle, func(a, b int) bool { return idle[a].created.Before(idle[b].created) })
	for len(js.jobs) >= keptImportPlans && len(idle) > 0 {
		js.forget(idle[0].id)
		idle = idle[1:]
	}
	js.jobs[j.id] = j
}

// errImportGone answers for an import that is no longer kept.
var errImportGone = echo.NewHTTPError(http.StatusGone, fmt.Sprintf(
	"This import is no longer kept: an upload is kept an hour, and only the newest %d not yet applied. Upload the files again.",
	models.MaxPreviewedImports))

// importJob returns the import id with its plan and current state, from
// this instance's memory or rebuilt from the database.
func (s *Server) importJob(ctx context.Context, id string) (*importJob, error) {
	if len(id) > 64 {
		return nil, echo.ErrNotFound
	}
	if j, ok := s.imports.get(id); ok {
		st, err := s.db.ImportJobState(ctx, id)
		if errors.Is(err, models.ErrNotFound) {
			return nil, errImportGone
		}
		if err != nil {
			return nil, err
		}
		j.load(st)
		return j, nil
	}
	st, err := s.db.ImportJobByID(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errImportGone
	}
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "storefront-import-")
	if err != nil {
		return nil, fmt.Errorf("web: import dir: %w", err)
	}
	j := &importJob{id: id, dir: dir, created: st.CreatedAt}
	j.opts.DeactivateMissing = st.DeactivateMissing
	for _, f := range []struct {
		field, name string
		data        []byte
		path        *string
	}{{"products", st.ProductsName, st.ProductsCSV, &j.opts.Products}, {"events", st.EventsName, st.EventsCSV, &j.opts.Events},
		{"customers", st.CustomersName, st.CustomersCSV, &j.opts.Customers}} {
		if f.name == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, f.field), 0o700); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("web: import dir: %w", err)
		}
		*f.path = filepath.Join(dir, f.field, f.name)
		if err := os.WriteFile(*f.path, f.data, 0o600); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("web: import file: %w", err)
		}
	}
	if j.plan, err = seed.PlanImport(ctx, s.db, j.opts, j); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	j.load(st)
	s.imports.add(j)
	return j, nil
}

func (s *Server) adminImport(c echo.Context) error {
	return render(c, http.StatusOK, templates.AdminImport(s.importPage(c)))
}

// importPage is the import page's frame, with the columns the import reads.
func (s *Server) importPage(c echo.Context) templates.AdminImportPage {
	vm := templates.AdminImportPage{AdminBase: s.adminBase(c, "Import catalog", "import")}
	vm.ProductColumns, vm.ProductOptional = seed.ProductColumns()
	vm.EventColumns, vm.EventOptional = seed.EventColumns()
	vm.CustomerColumns, vm.CustomerOptional = seed.CustomerColumns()
	return vm
}

// adminImportUpload stores the uploaded files and shows the preview:
// the first rows and every problem, before anything is written.
func (s *Server) adminImportUpload(c echo.Context) error {
	vm := s.importPage(c)
	vm.DeactivateMissing = c.FormValue("deactivate_missing") == "1"
	dir, err := os.MkdirTemp("", "storefront-import-")
	if err != nil {
		return fmt.Errorf("web: import upload dir: %w", err)
	}
	job := &importJob{id: randomToken(16), dir: dir, created: time.Now(), state: models.ImportPreviewed}
	job.opts.DeactivateMissing = vm.DeactivateMissing
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(dir)
		}
	}()
	for _, f := range []struct {
		field string
		path  *string
	}{{"products", &job.opts.Products}, {"events", &job.opts.Events}, {"customers", &job.opts.Customers}} {
		fh, err := c.FormFile(f.field)
		if errors.Is(err, http.ErrMissingFile) {
			continue
		}
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The upload could not be read: "+err.Error())
		}
		if *f.path, err = saveUpload(fh, filepath.Join(dir, f.field)); err != nil {
			return err
		}
	}
	switch {
	case job.opts.Products == "" && job.opts.Events == "" && job.opts.Customers == "":
		vm.Error = "Choose a products file, an events file or both (or a customers file)."
	case vm.DeactivateMissing && job.opts.Products == "":
		vm.Error = "Deactivating products missing from the file needs a products file."
	}
	if vm.Error != "" {
		return render(c, http.StatusUnprocessableEntity, templates.AdminImport(vm))
	}
	plan, err := seed.PlanImport(c.Request().Context(), s.db, job.opts, job)
	if err != nil {
		return err
	}
	job.plan = plan
	stored := &models.ImportJob{ID: job.id, DeactivateMissing: job.opts.DeactivateMissing, State: models.ImportPreviewed,
		CreatedBy: staffName(c), CreatedAt: job.created}
	for _, f := range []struct {
		path string
		name *string
		data *[]byte
	}{{job.opts.Products, &stored.ProductsName, &stored.ProductsCSV}, {job.opts.Events, &stored.EventsName, &stored.EventsCSV},
		{job.opts.Customers, &stored.CustomersName, &stored.CustomersCSV}} {
		if f.path == "" {
			continue
		}
		if *f.data, err = os.ReadFile(f.path); err != nil {
			return fmt.Errorf("web: import upload: %w", err)
		}
		*f.name = filepath.Base(f.path)
	}
	if err := s.db.SaveImportJob(c.Request().Context(), stored); err != nil {
		return err
	}
	keep = true
	s.imports.add(job)
	vm.Job = importJobView(job)
	status := http.StatusOK
	if plan.Preview.TotalProblems > 0 {
		status = http.StatusUnprocessableEntity
	}
	return render(c, status, templates.AdminImport(vm))
}

// saveUpload copies an uploaded file into dir under its own base name, so
// problems name the merchant's file.
func saveUpload(fh *multipart.FileHeader, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("web: import upload: %w", err)
	}
	name := filepath.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	if name == "." || name == "/" || name == "" {
		name = "upload.csv"
	}
	src, err := fh.Open()
	if err != nil {
		return "", fmt.Errorf("web: import upload: %w", err)
	}
	defer src.Close()
	path := filepath.Join(dir, name)
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", fmt.Errorf("web: import upload: %w", err)
	}
	if _, err := io.Copy(dst, io.LimitReader(src, maxImportUpload)); err != nil {
		dst.Close()
		return "", fmt.Errorf("web: import upload: %w", err)
	}
	return path, dst.Close()
}

// adminImportApply writes a previewed import, all or nothing, in the
// background; the job page shows its progress. One import runs at a time
// across every instance, and each is applied once.
func (s *Server) adminImportApply(c echo.Context) error {
	job, err := s.importJob(c.Request().Context(), c.Param("job"))
	if err != nil {
		return err
	}
	job.mu.Lock()
	problems := job.state != models.ImportPreviewed || job.plan.Preview.TotalProblems > 0
	job.mu.Unlock()
	if problems {
		return echo.NewHTTPError(http.StatusConflict, "This import was already applied or has problems. Upload the files again.")
	}
	switch err := s.db.ClaimImportJob(c.Request().Context(), job.id); {
	case errors.Is(err, models.ErrImportRunning):
		return echo.NewHTTPError(http.StatusConflict, "Another import is being applied. Wait for it to finish.")
	case errors.Is(err, models.ErrImportTaken):
		return echo.NewHTTPError(http.StatusConflict, "This import was already applied or has problems. Upload the files again.")
	case err != nil:
		return err
	}
	job.mu.Lock()
	job.state, job.local = models.ImportRunning, true
	job.mu.Unlock()
	actor := staffName(c)
	go s.runImport(job, actor)
	return c.Redirect(http.StatusSeeOther, "/admin/import/"+job.id)
}

func (s *Server) runImport(job *importJob, actor string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	defer os.RemoveAll(job.dir)
	sum, err := job.plan.Apply(ctx, s.db)
	job.mu.Lock()
	defer job.mu.Unlock()
	defer func() {
		var summary []byte
		if job.summary != nil {
			summary, _ = json.Marshal(job.summary)
		}
		if ferr := s.db.FinishImportJob(ctx, job.id, job.state, strings.Join(job.progress, "\n"), string(summary), job.err); ferr != nil {
			s.log.Error("import result not stored", "err", ferr)
		}
		job.local = false
	}()
	if err != nil {
		job.state, job.err = models.ImportFailed, err.Error()
		s.log.Error("import failed", "err", err)
		return
	}
	job.state, job.summary = models.ImportDone, sum
	if sum.CurrencySet {
		s.shopChanged() // the shop took the file's currency
	}
	detail := importAuditDetail(sum)
	if err := s.db.Audit(ctx, actor, "catalog.import", importTarget(job.opts), detail); err != nil {
		s.log.Error("import not audited", "err", err)
	}
	s.catalogChanged()
	s.layoutChanged()
}

// importTarget names an import's files in the audit log.
func importTarget(opts seed.ImportOptions) string {
	var names []string
	for _, p := range []string{opts.Products, opts.Events, opts.Customers} {
		if p != "" {
			names = append(names, filepath.Base(p))
		}
	}
	return strings.Join(names, ", ")
}

// importAuditDetail is the audit log's account of an import: one product
// is one ("1 product created"), as the command line's import line says.
func importAuditDetail(sum *seed.ImportSummary) string {
	detail := fmt.Sprintf("%s created, %d updated, %d deactivated, %s", templates.Plural(sum.ProductsCreated, "product", "products"),
		sum.ProductsUpdated, sum.ProductsDeactivated, templates.Plural(sum.Events, "event", "events"))
	if sum.EventsSkipped > 0 {
		detail += fmt.Sprintf(" (%d already stored, skipped)", sum.EventsSkipped)
	}
	if sum.EventsForgotten > 0 {
		detail += fmt.Sprintf(" (%d of deleted customers, not stored)", sum.EventsForgotten)
	}
	if sum.EventsExpired > 0 {
		detail += fmt.Sprintf(" (%d older than the %d-day retention, not stored)", sum.EventsExpired, sum.RetentionDays)
	}
	if sum.CustomerEmails > 0 {
		detail += ", " + templates.Plural(sum.CustomerEmails, "customer", "customers") + " given an email address"
	}
	return detail
}

// adminImportJob shows a job's preview, progress or result.
func (s *Server) adminImportJob(c echo.Context) error {
	job, err := s.importJob(c.Request().Context(), c.Param("job"))
	if err != nil {
		return err
	}
	vm := s.importPage(c)
	vm.Job = importJobView(job)
	return render(c, http.StatusOK, templates.AdminImport(vm))
}

func importJobView(j *importJob) *templates.ImportJobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	pv := j.plan.Preview
	v := &templates.ImportJobView{ID: j.id, State: j.state, Progress: append([]string(nil), j.progress...), Error: j.err,
		ProductRows: pv.ProductRows, EventRows: pv.EventRows, CustomerRows: pv.CustomerRows, NewProducts: pv.NewProducts, UpdatedProducts: pv.UpdatedProducts,
		Deactivated: pv.Deactivated, TotalProblems: pv.TotalProblems, DeactivateMissing: j.opts.DeactivateMissing}
	if j.opts.Products != "" {
		v.ProductsFile = filepath.Base(j.opts.Products)
	}
	if j.opts.Events != "" {
		v.EventsFile = filepath.Base(j.opts.Events)
	}
	if j.opts.Customers != "" {
		v.CustomersFile = filepath.Base(j.opts.Customers)
	}
	for _, r := range pv.Customers {
		v.Customers = append(v.Customers, templates.ImportCustomerRow{Line: r.Line, UserID: r.UserID, Email: r.Email, Name: r.Name})
	}
	for _, p := range pv.Problems {
		v.Problems = append(v.Problems, templates.ImportProblem{File: p.File, Line: p.Line, Field: p.Field, Reason: p.Reason})
		if !p.Summary {
			v.ListedProblems++
		}
	}
	v.Changed, v.PriceStockChanged = pv.Changed, pv.PriceStockChanged
	for _, ch := range pv.Changes {
		row := templates.ImportChange{Line: ch.Line, ID: ch.ID, Title: ch.Title}
		for _, f := range ch.Fields {
			row.Fields = append(row.Fields, templates.ImportFieldChange(f))
		}
		v.Changes = append(v.Changes, row)
	}
	for _, p := range pv.Products {
		v.Products = append(v.Products, templates.ImportProductRow{Line: p.Line, ID: p.ID, Title: p.Title, Category: p.Category,
			Brand: p.Brand, PriceCents: p.PriceCents, Stock: p.Stock, New: p.New})
	}
	for _, e := range pv.Events {
		v.Events = append(v.Events, templates.ImportEventRow{Line: e.Line, User: e.User, Product: e.Product, Type: e.Type,
			Timestamp: e.Timestamp.Format(time.RFC3339)})
	}
	if j.summary != nil {
		// What each file brought: an events file alone says nothing of
		// products, which it never changes.
		var parts []string
		if j.opts.Products != "" {
			parts = append(parts, fmt.Sprintf("%s created, %d updated, %d deactivated, %s created",
				templates.Plural(j.summary.ProductsCreated, "product", "products"), j.summary.ProductsUpdated, j.summary.ProductsDeactivated,
				templates.Plural(j.summary.CategoriesCreated, "category", "categories")))
		}
		if j.opts.Events != "" {
			parts = append(parts, templates.Plural(j.summary.Events, "event", "events"))
		}
		if j.opts.Customers != "" {
			parts = append(parts, templates.Plural(j.summary.CustomerEmails, "customer", "customers")+" given an email address (each sets a first password with “Forgot your password?” on the login page)")
		}
		v.Result = fmt.Sprintf("Imported: %s, in %s.", strings.Join(parts, ", "), j.summary.Duration.Round(time.Millisecond))
		if k := j.summary.EventsSkipped; k > 0 {
			v.Result += " " + templates.Plural(k, "event", "events") + " already stored (the same customer, product, type, time and value), not stored again."
		}
		if k := j.summary.EventsForgotten; k > 0 {
			line := j.summary.ForgottenLine(templates.Num(k))
			v.Result += " " + strings.ToUpper(line[:1]) + line[1:] + "."
		}
		if k := j.summary.EventsExpired; k > 0 {
			line := j.summary.ExpiredLine(templates.Num(k))
			v.Result += " " + strings.ToUpper(line[:1]) + line[1:] + "."
		}
		if l := j.summary.ListsLine(); l != "" {
			v.Result += " " + strings.ToUpper(l[:1]) + l[1:] + "."
		}
		if k := j.summary.ProductsInactive; k > 0 && j.opts.Products != "" {
			v.Result += " " + templates.Plural(k, "product is", "products are") + " not for sale, as the file's active column says (a draft, a private product): switch one on in the catalog."
		}
		if j.summary.DefaultHomepage {
			v.Result += " A default homepage was published from your categories."
		}
		if l := j.summary.HomepageLine(); l != "" {
			v.Result += " " + strings.ToUpper(l[:1]) + l[1:] + "."
		}
		if r := j.summary.RenamedLine(); r != "" {
			v.Result += " " + strings.ToUpper(r[:1]) + r[1:] + "."
		}
		if c := j.summary.CurrencyLine(); c != "" {
			v.Result += " " + strings.ToUpper(c[:1]) + c[1:] + "."
		}
		for _, r := range j.summary.Renamed {
			v.Renamed = append(v.Renamed, templates.ImportRenamed{UserID: r.UserID, Key: r.Key})
		}
	}
	return v
}

// adminCatalogCSV exports the catalog in the import's products format, so
// an export can be edited and imported again.
func (s *Server) adminCatalogCSV(c echo.Context) error {
	ctx := c.Request().Context()
	products, err := s.db.AllProducts(ctx)
	if err != nil {
		return err
	}
	cats, err := s.db.Categories(ctx)
	if err != nil {
		return err
	}
	byID := make(map[uint]models.Category, len(cats))
	for _, c := range cats {
		byID[c.ID] = c
	}
	path := func(id uint) string {
		var parts []string
		for depth := 0; depth < 16; depth++ {
			c, ok := byID[id]
			if !ok {
				break
			}
			parts = append([]string{c.Name}, parts...)
			if c.ParentID == nil {
				break
			}
			id = *c.ParentID
		}
		return strings.Join(parts, " > ")
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="catalog-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	w.Write([]string{"id", "title", "description", "category", "brand", "price", "stock", "created_at", "image_url", "active", "compare_at_price", "group_id", "visibility"})
	for _, p := range products {
		compare := ""
		if p.CompareAtCents > 0 {
			compare = fmt.Sprintf("%d.%02d", p.CompareAtCents/100, p.CompareAtCents%100)
		}
		// Titles, descriptions, brands and categories come from suppliers'
		// files: guarded against spreadsheet formulas (the import takes the
		// guard off again, so the file round-trips).
		w.Write(csvSafeRow(p.ExternalID, p.Title, p.Description, path(p.CategoryID), p.Brand,
			fmt.Sprintf("%d.%02d", p.PriceCents/100, p.PriceCents%100), strconv.Itoa(p.Stock),
			p.CreatedAt.UTC().Format(time.RFC3339), p.ImageURL, strconv.FormatBool(p.Active), compare, p.GroupID, exportVisibility(p.Visibility)))
	}
	w.Flush()
	return w.Error()
}

// exportVisibility writes a product's visibility as a Magento export does,
// which the import reads back.
func exportVisibility(v string) string {
	switch v {
	case models.VisibilityCatalog:
		return "Catalog"
	case models.VisibilitySearch:
		return "Search"
	}
	return "Catalog, Search"
}
