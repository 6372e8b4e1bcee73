package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"storefront/recommender"
)

// HomePage is the key of the shop's homepage layout.
const HomePage = "home"

// PageByKey returns a layout page, creating it when missing.
func (db *DB) PageByKey(ctx context.Context, key string) (*Page, error) {
	var p Page
	err := db.R.WithContext(ctx).Where("key = ?", key).First(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		p = Page{Key: key, DraftRevision: 1}
		err = db.W.WithContext(ctx).Where("key = ?", key).FirstOrCreate(&p).Error
	}
	if err != nil {
		return nil, fmt.Errorf("models: find page %q: %w", key, err)
	}
	return &p, nil
}

// DraftSlots returns the draft slots of a page in position order and the
// draft revision they belong to.
func (db *DB) DraftSlots(ctx context.Context, pageKey string) ([]Slot, int, error) {
	p, err := db.PageByKey(ctx, pageKey)
	if err != nil {
		return nil, 0, err
	}
	var slots []Slot
	if err := db.R.WithContext(ctx).Where("page_id = ?", p.ID).Order("position, id").Find(&slots).Error; err != nil {
		return nil, 0, fmt.Errorf("models: draft slots of %q: %w", pageKey, err)
	}
	return slots, p.DraftRevision, nil
}

// SlotByID returns one draft slot.
func (db *DB) SlotByID(ctx context.Context, id uint) (*Slot, error) {
	var s Slot
	if err := db.R.WithContext(ctx).First(&s, id).Error; err != nil {
		return nil, notFound(err, "find slot %d", id)
	}
	return &s, nil
}

// PublishedLayout returns the slots of the page's published version, or the
// draft when nothing was published yet.
func (db *DB) PublishedLayout(ctx context.Context, pageKey string) ([]Slot, *LayoutVersion, error) {
	p, err := db.PageByKey(ctx, pageKey)
	if err != nil {
		return nil, nil, err
	}
	if p.PublishedVersionID == nil {
		slots, _, err := db.DraftSlots(ctx, pageKey)
		return slots, nil, err
	}
	var v LayoutVersion
	if err := db.R.WithContext(ctx).First(&v, *p.PublishedVersionID).Error; err != nil {
		return nil, nil, notFound(err, "find published version of %q", pageKey)
	}
	slots, err := decodeSnapshot(v.Snapshot)
	if err != nil {
		return nil, nil, fmt.Errorf("models: published version %d of %q: %w", v.ID, pageKey, err)
	}
	return slots, &v, nil
}

func decodeSnapshot(s string) ([]Slot, error) {
	var slots []Slot
	if err := json.Unmarshal([]byte(s), &slots); err != nil {
		return nil, fmt.Errorf("decode snapshot: %w", err)
	}
	sort.SliceStable(slots, func(i, j int) bool { return slots[i].Position < slots[j].Position })
	for i := range slots {
		normalizeStrategy(&slots[i])
	}
	return slots, nil
}

// Versions lists a page's published versions, newest first.
func (db *DB) Versions(ctx context.Context, pageKey string) ([]LayoutVersion, *Page, error) {
	p, err := db.PageByKey(ctx, pageKey)
	if err != nil {
		return nil, nil, err
	}
	var vs []LayoutVersion
	if err := db.R.WithContext(ctx).Where("page_id = ?", p.ID).Order("number DESC").Find(&vs).Error; err != nil {
		return nil, nil, fmt.Errorf("models: versions of %q: %w", pageKey, err)
	}
	return vs, p, nil
}

// change is what an edit of a draft writes to the audit log.
type change struct{ action, target, detail string }

// editDraft runs fn in a write transaction after checking that the draft is
// still at the revision the editor saw, then bumps the revision and writes
// the audit entry fn describes. A stale revision returns ErrConflict so one
// editor never overwrites another.
func (db *DB) editDraft(ctx context.Context, pageKey string, expectRev int, actor string, fn func(tx *gorm.DB, p *Page) (change, error)) error {
	if _, err := db.PageByKey(ctx, pageKey); err != nil {
		return err
	}
	return db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var p Page
		if err := tx.Where("key = ?", pageKey).First(&p).Error; err != nil {
			return notFound(err, "find page %q", pageKey)
		}
		if expectRev != 0 && p.DraftRevision != expectRev {
			return fmt.Errorf("models: draft of %q changed since revision %d (now %d): %w", pageKey, expectRev, p.DraftRevision, ErrConflict)
		}
		ch, err := fn(tx, &p)
		if err != nil {
			return err
		}
		if err := tx.Model(&Page{}).Where("id = ?", p.ID).Update("draft_revision", p.DraftRevision+1).Error; err != nil {
			return fmt.Errorf("models: bump draft revision: %w", err)
		}
		return audit(tx, actor, ch.action, auditTarget(pageKey, ch.target), ch.detail)
	})
}

// auditTarget names what a layout change touched: the slot alone on the
// homepage, the page's key and the slot elsewhere.
func auditTarget(pageKey, what string) string {
	if pageKey == HomePage {
		return what
	}
	if what == "" {
		return pageKey
	}
	return pageKey + ": " + what
}

func audit(tx *gorm.DB, actor, action, target, detail string) error {
	if actor == "" {
		return nil
	}
	err := tx.Create(&AuditLog{Actor: actor, Action: action, Target: target, Detail: detail, CreatedAt: time.Now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("models: write audit log: %w", err)
	}
	return nil
}

// Bounds of a slot's text and lists. The lists are counted where they are
// read (the slot form), since a merchandiser types them as comma-separated
// text: they bound what one form makes the server compare and store, far
// above what a row of at most 24 products uses.
const (
	MaxSlotSubtitle = 200 // characters, as the form's field says
	MaxSlotProducts = 500 // SKUs in each of pins, boosts and excludes
	MaxSlotBrands   = 100
)

// ValidateSlot checks a slot's fields.
func ValidateSlot(s *Slot) error {
	f := map[string]string{}
	if kind, err := recommender.ParseSlotKind(s.Type); err != nil {
		f["type"] = "Choose a slot type."
	} else if _, _, err := kind.ParseSlotStrategy(s.Strategy); err != nil {
		f["strategy"] = strategyProblem(kind)
	}
	if len(s.Title) > 120 {
		f["title"] = "Use at most 120 characters."
	}
	if utf8.RuneCountInString(s.Subtitle) > MaxSlotSubtitle {
		f["subtitle"] = fmt.Sprintf("Use at most %d characters.", MaxSlotSubtitle)
	}
	if s.Size < 0 || s.Size > 24 {
		f["size"] = "Choose between 1 and 24 products."
	}
	if s.Size == 0 {
		s.Size = 8
	}
	if s.MinPrice < 0 || s.MaxPrice < 0 || (s.MaxPrice > 0 && s.MinPrice > s.MaxPrice) {
		f["price"] = "The minimum price must be below the maximum."
	}
	if s.StartsAt != nil && s.EndsAt != nil && !s.EndsAt.After(*s.StartsAt) {
		f["schedule"] = "The end must be after the start."
	}
	switch {
	case len(s.Creatives) > 0 && s.Type != SlotBanner:
		f["type"] = "Only a banner holds creatives: keep the type or remove its creatives first."
	case len(s.Creatives) > MaxCreatives:
		f["creatives"] = fmt.Sprintf("A banner holds at most %d creatives.", MaxCreatives)
	}
	for i := range s.Creatives {
		var ve *ValidationError
		if err := ValidateCreative(&s.Creatives[i]); errors.As(err, &ve) {
			for field, msg := range ve.Fields {
				f["creatives"] = fmt.Sprintf("Creative %d, %s: %s", i+1, field, msg)
			}
		}
	}
	if _, err := recommender.ParseAudience(s.Audience); err != nil {
		f["audience"] = "Choose an audience."
	}
	if s.Audience == "" {
		s.Audience = recommender.AudienceEveryone
	}
	if len(f) > 0 {
		return &ValidationError{Fields: f}
	}
	return nil
}

// strategyProblem says which strategies a slot type accepts.
func strategyProblem(kind recommender.SlotKind) string {
	allowed := kind.Strategies()
	if len(allowed) == 0 {
		return "A " + kind.Label() + " row is filled by its own rule: leave the strategy on the default."
	}
	names := make([]string, len(allowed))
	for i, st := range allowed {
		names[i] = st.String()
	}
	return "A " + kind.Label() + " row uses the default or one of: " + strings.Join(names, ", ") + "."
}

// legacyStrategies are strategy names older layouts stored that the
// recommender never understood; they are read as what they meant.
var legacyStrategies = map[string]string{"itemknn": "item_knn", "newest": "new"}

// normalizeStrategy turns a stored strategy into one the slot's type
// accepts: an old spelling becomes the recommender's name, and a name the
// type does not take ("affinity", "pinned", "recent" described the rule
// of their types) becomes the default, which is what those slots served.
func normalizeStrategy(s *Slot) {
	if n, ok := legacyStrategies[s.Strategy]; ok {
		s.Strategy = n
	}
	kind, err := recommender.ParseSlotKind(s.Type)
	if err != nil {
		return
	}
	if _, _, err := kind.ParseSlotStrategy(s.Strategy); err != nil {
		s.Strategy = ""
	}
}

// normalizeSlotStrategies rewrites draft slots stored with a strategy their
// type does not accept (see normalizeStrategy); published snapshots are
// normalized as they are read.
func normalizeSlotStrategies(tx *gorm.DB) error {
	var slots []Slot
	if err := tx.Where("strategy <> ''").Find(&slots).Error; err != nil {
		return fmt.Errorf("models: read slot strategies: %w", err)
	}
	for _, sl := range slots {
		old := sl.Strategy
		if normalizeStrategy(&sl); sl.Strategy != old {
			if err := tx.Model(&Slot{}).Where("id = ?", sl.ID).Update("strategy", sl.Strategy).Error; err != nil {
				return fmt.Errorf("models: normalize strategy of slot %d: %w", sl.ID, err)
			}
		}
	}
	return nil
}

// SaveSlot creates or updates a draft slot.
func (db *DB) SaveSlot(ctx context.Context, pageKey string, expectRev int, actor string, s *Slot) error {
	if err := ValidateSlot(s); err != nil {
		return err
	}
	return db.editDraft(ctx, pageKey, expectRev, actor, func(tx *gorm.DB, p *Page) (change, error) {
		s.PageID = p.ID
		if s.ID == 0 {
			var maxPos int
			tx.Model(&Slot{}).Where("page_id = ?", p.ID).Select("COALESCE(MAX(position), 0)").Scan(&maxPos)
			s.Position = maxPos + 1
			return change{"slot.create", slotName(*s), ""}, tx.Create(s).Error
		}
		var old Slot
		if err := tx.Where("page_id = ?", p.ID).First(&old, s.ID).Error; err != nil {
			return change{}, notFound(err, "find slot %d", s.ID)
		}
		s.Position = old.Position
		return change{"slot.update", slotName(*s), SlotChanges(old, *s)}, tx.Save(s).Error
	})
}

// SetSlotFlag turns a draft slot's enabled or locked flag on or off; the
// audit log says which ("slot.disable", "slot.lock", …).
func (db *DB) SetSlotFlag(ctx context.Context, pageKey string, expectRev int, actor string, id uint, field string, on bool) (*Slot, error) {
	actions := map[string][2]string{"enabled": {"slot.disable", "slot.enable"}, "locked": {"slot.unlock", "slot.lock"}}
	names, ok := actions[field]
	if !ok {
		return nil, fmt.Errorf("models: slot flag %q: %w", field, ErrInvalid)
	}
	var s Slot
	err := db.editDraft(ctx, pageKey, expectRev, actor, func(tx *gorm.DB, p *Page) (change, error) {
		if err := tx.Where("page_id = ?", p.ID).First(&s, id).Error; err != nil {
			return change{}, notFound(err, "find slot %d", id)
		}
		if field == "enabled" {
			s.Enabled = on
		} else {
			s.Locked = on
		}
		if err := tx.Model(&Slot{}).Where("id = ?", id).Update(field, on).Error; err != nil {
			return change{}, fmt.Errorf("models: set %s of slot %d: %w", field, id, err)
		}
		return change{names[map[bool]int{false: 0, true: 1}[on]], slotName(s), ""}, nil
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// DeleteSlot removes a draft slot.
func (db *DB) DeleteSlot(ctx context.Context, pageKey string, expectRev int, actor string, id uint) error {
	return db.editDraft(ctx, pageKey, expectRev, actor, func(tx *gorm.DB, p *Page) (change, error) {
		var s Slot
		if err := tx.Where("page_id = ?", p.ID).First(&s, id).Error; err != nil {
			return change{}, notFound(err, "delete slot %d", id)
		}
		if err := tx.Delete(&Slot{}, id).Error; err != nil {
			return change{}, fmt.Errorf("models: delete slot %d: %w", id, err)
		}
		return change{"slot.delete", slotName(s), fmt.Sprintf("%s slot at position %d", s.Type, s.Position)}, nil
	})
}

// ReorderSlots sets the draft order to ids (every slot of the page, once).
func (db *DB) ReorderSlots(ctx context.Context, pageKey string, expectRev int, actor string, ids []uint) error {
	return db.editDraft(ctx, pageKey, expectRev, actor, func(tx *gorm.DB, p *Page) (change, error) {
		var slots []Slot
		if err := tx.Where("page_id = ?", p.ID).Order("position, id").Find(&slots).Error; err != nil {
			return change{}, err
		}
		if len(ids) != len(slots) {
			return change{}, fmt.Errorf("models: reorder: got %d ids for %d slots: %w", len(ids), len(slots), ErrInvalid)
		}
		known := map[uint]Slot{}
		var before, after []string
		for _, s := range slots {
			known[s.ID] = s
			before = append(before, slotName(s))
		}
		for i, id := range ids {
			s, ok := known[id]
			if !ok {
				return change{}, fmt.Errorf("models: reorder: slot %d is not on the page (or listed twice): %w", id, ErrInvalid)
			}
			delete(known, id)
			after = append(after, slotName(s))
			if err := tx.Model(&Slot{}).Where("id = ?", id).Update("position", i+1).Error; err != nil {
				return change{}, err
			}
		}
		return change{"slot.reorder", "", strings.Join(before, ", ") + " → " + strings.Join(after, ", ")}, nil
	})
}

// slotName is how the audit log names a slot.
func slotName(s Slot) string {
	if s.Title != "" {
		return "“" + s.Title + "”"
	}
	return "(untitled " + s.Type + ")"
}

// SlotChanges says which fields of a slot an edit changed, old → new.
func SlotChanges(old, next Slot) string {
	var a, b map[string]any
	ja, _ := json.Marshal(old)
	jb, _ := json.Marshal(next)
	_ = json.Unmarshal(ja, &a)
	_ = json.Unmarshal(jb, &b)
	var parts []string
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "ID", "PageID", "Position", "UpdatedAt":
			continue
		}
		va, vb := auditValue(a[k]), auditValue(b[k])
		if va != vb {
			parts = append(parts, strings.ToLower(k)+" "+va+" → "+vb)
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, "; ")
}

// auditValue shows a field's value in an audit entry, shortened.
func auditValue(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		s = "(none)"
	case string:
		s = "“" + x + "”"
		if x == "" {
			s = "(none)"
		}
	default:
		j, _ := json.Marshal(x)
		s = string(j)
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}

// MoveSlot moves a draft slot one place up (delta -1) or down (+1).
func (db *DB) MoveSlot(ctx context.Context, pageKey string, expectRev int, actor string, id uint, delta int) error {
	slots, _, err := db.DraftSlots(ctx, pageKey)
	if err != nil {
		return err
	}
	ids := make([]uint, len(slots))
	at := -1
	for i, s := range slots {
		ids[i] = s.ID
		if s.ID == id {
			at = i
		}
	}
	if at < 0 {
		return fmt.Errorf("models: move slot %d: %w", id, ErrNotFound)
	}
	to := at + delta
	if to < 0 || to >= len(ids) {
		return nil
	}
	ids[at], ids[to] = ids[to], ids[at]
	return db.ReorderSlots(ctx, pageKey, expectRev, actor, ids)
}

// PublishDraft snapshots the draft as a new published version.
func (db *DB) PublishDraft(ctx context.Context, pageKey, author string) (*LayoutVersion, error) {
	slots, _, err := db.DraftSlots(ctx, pageKey)
	if err != nil {
		return nil, err
	}
	return db.publish(ctx, pageKey, author, slots, nil)
}

// Rollback publishes the slots of an earlier version of the page again and
// resets the draft to them.
func (db *DB) Rollback(ctx context.Context, pageKey string, versionID uint, author string) (*LayoutVersion, error) {
	p, err := db.PageByKey(ctx, pageKey)
	if err != nil {
		return nil, err
	}
	var v LayoutVersion
	if err := db.R.WithContext(ctx).Where("page_id = ?", p.ID).First(&v, versionID).Error; err != nil {
		return nil, notFound(err, "find version %d of %q", versionID, pageKey)
	}
	slots, err := decodeSnapshot(v.Snapshot)
	if err != nil {
		return nil, fmt.Errorf("models: rollback to version %d: %w", versionID, err)
	}
	return db.publish(ctx, pageKey, author, slots, &v)
}

// publish makes slots the page's live version; restored is the version a
// rollback brings back (nil for a publish of the draft).
func (db *DB) publish(ctx context.Context, pageKey, author string, slots []Slot, restored *LayoutVersion) (*LayoutVersion, error) {
	prefix, action := "", "layout.publish"
	if restored != nil {
		prefix, action = fmt.Sprintf("Rollback to version %d. ", restored.Number), "layout.rollback"
	}
	p, err := db.PageByKey(ctx, pageKey)
	if err != nil {
		return nil, err
	}
	var prev []Slot
	if p.PublishedVersionID != nil {
		prev, _, _ = db.PublishedLayout(ctx, pageKey)
	}
	v, err := newVersion(p, author, slots, prev, prefix)
	if err != nil {
		return nil, err
	}
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return publishTx(tx, p, v, slots, restored != nil, action)
	})
	if err != nil {
		return nil, fmt.Errorf("models: publish %q: %w", pageKey, err)
	}
	return v, nil
}

// newVersion is the version publishing slots over prev creates.
func newVersion(p *Page, author string, slots, prev []Slot, prefix string) (*LayoutVersion, error) {
	snap, err := json.Marshal(slots)
	if err != nil {
		return nil, fmt.Errorf("models: encode snapshot: %w", err)
	}
	return &LayoutVersion{PageID: p.ID, Snapshot: string(snap), Author: author, Summary: prefix + DiffSummary(prev, slots), CreatedAt: time.Now().UTC()}, nil
}

// publishTx stores v as the page's published version, audit-logged as
// action; resetDraft replaces the draft with its slots.
func publishTx(tx *gorm.DB, p *Page, v *LayoutVersion, slots []Slot, resetDraft bool, action string) error {
	// One publish of a page at a time across every instance on PostgreSQL
	// (SQLite serializes writers already), so each numbers its version
	// past the other's.
	if err := lockTx(tx, fmt.Sprintf("layout:%d", p.ID)); err != nil {
		return err
	}
	var maxNum int
	if err := tx.Model(&LayoutVersion{}).Where("page_id = ?", p.ID).Select("COALESCE(MAX(number), 0)").Scan(&maxNum).Error; err != nil {
		return err
	}
	v.Number = maxNum + 1
	if err := tx.Create(v).Error; err != nil {
		return err
	}
	if resetDraft {
		// Reset the draft to the restored slots, keeping their ids.
		if err := tx.Where("page_id = ?", p.ID).Delete(&Slot{}).Error; err != nil {
			return err
		}
		for i := range slots {
			s := slots[i]
			s.PageID = p.ID
			if err := tx.Create(&s).Error; err != nil {
				return err
			}
		}
	}
	upd := map[string]any{"published_version_id": v.ID, "draft_revision": p.DraftRevision + 1}
	if err := tx.Model(&Page{}).Where("id = ?", p.ID).Updates(upd).Error; err != nil {
		return err
	}
	return audit(tx, v.Author, action, fmt.Sprintf("%s v%d", p.Key, v.Number), v.Summary)
}

// DiffSummary describes in words how slots changed from prev to next.
func DiffSummary(prev, next []Slot) string {
	if prev == nil {
		return fmt.Sprintf("First version with %d %s.", len(next), slotsWord(len(next)))
	}
	byID := map[uint]Slot{}
	for _, s := range prev {
		byID[s.ID] = s
	}
	var added, removed, changed []string
	moved := 0
	seen := map[uint]bool{}
	for i, s := range next {
		seen[s.ID] = true
		old, ok := byID[s.ID]
		if !ok {
			added = append(added, quote(s.Title, s.Type))
			continue
		}
		if idx := indexOf(prev, s.ID); idx != i {
			moved++
		}
		o, n := old, s
		o.Position, n.Position, o.UpdatedAt, n.UpdatedAt, o.PageID, n.PageID = 0, 0, time.Time{}, time.Time{}, 0, 0
		if !slotEqual(o, n) {
			changed = append(changed, quote(s.Title, s.Type))
		}
	}
	for _, s := range prev {
		if !seen[s.ID] {
			removed = append(removed, quote(s.Title, s.Type))
		}
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+strings.Join(removed, ", "))
	}
	if len(changed) > 0 {
		parts = append(parts, "edited "+strings.Join(changed, ", "))
	}
	if moved > 0 {
		parts = append(parts, fmt.Sprintf("reordered %d %s", moved, slotsWord(moved)))
	}
	if len(parts) == 0 {
		return "No changes."
	}
	s := strings.Join(parts, "; ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func slotsWord(n int) string {
	if n == 1 {
		return "slot"
	}
	return "slots"
}

func slotEqual(a, b Slot) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func indexOf(slots []Slot, id uint) int {
	for i, s := range slots {
		if s.ID == id {
			return i
		}
	}
	return -1
}

func quote(title, typ string) string {
	if title == "" {
		return typ
	}
	return "“" + title + "”"
}
