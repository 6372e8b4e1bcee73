package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// CustomerEmail is the address a merchant gives a customer an import
// brought under an id of their shop system (cust0042): a row of a
// customers file, or the admin's customer page.
type CustomerEmail struct {
	UserID string // the events file's user_id, in normal form C (NormalID)
	Email  string // as NormalizeEmail gives it
	Name   string // "" keeps the customer's name
}

// CustomerEmailProblem is why rows[Index] cannot be applied: Field is
// "user_id" or "email".
type CustomerEmailProblem struct {
	Index  int
	Field  string
	Reason string
}

// CheckCustomerEmails tells which rows cannot be applied as the shop
// stands. A user id must be a customer an import brought (inFile reports
// the ids the same import's events file brings, nil for none) who has no
// account yet; an address may be neither an account's here (the
// registered account keeps it) nor another imported customer's (given to
// them, or the id they were imported under). Nothing is written.
func (db *DB) CheckCustomerEmails(ctx context.Context, rows []CustomerEmail, inFile func(string) bool) ([]CustomerEmailProblem, error) {
	ps, _, err := checkCustomerEmails(db.R.WithContext(ctx), rows, inFile)
	if err != nil {
		return nil, fmt.Errorf("models: check customer emails: %w", err)
	}
	return ps, nil
}

// checkCustomerEmails is CheckCustomerEmails on tx; it also answers the
// stored customers the rows name, by user id.
func checkCustomerEmails(tx *gorm.DB, rows []CustomerEmail, inFile func(string) bool) ([]CustomerEmailProblem, map[string]Shopper, error) {
	var ids, ems []string
	for _, r := range rows {
		ids, ems = append(ids, r.UserID), append(ems, r.Email)
	}
	byID := map[string]Shopper{}
	forgotten := map[string]bool{}
	holders := map[string][]Shopper{} // address → the shoppers holding it, one way or another
	for start := 0; start < len(rows); start += bulkBatch {
		part := ids[start:min(start+bulkBatch, len(ids))]
		var found []Shopper
		if err := tx.Where("imported_as IN ?", part).Find(&found).Error; err != nil {
			return nil, nil, err
		}
		for _, sh := range found {
			byID[*sh.ImportedAs] = sh
		}
		var gone []string
		if err := tx.Model(&ForgottenUser{}).Where("user_key IN ?", part).Pluck("user_key", &gone).Error; err != nil {
			return nil, nil, err
		}
		for _, k := range gone {
			forgotten[k] = true
		}
		addrs := ems[start:min(start+bulkBatch, len(ems))]
		// Each term on its own index (SQLite's multi-index OR, a bitmap OR
		// on PostgreSQL).
		var held []Shopper
		if err := tx.Where("email IN ? OR claim_email IN ? OR imported_as IN ?", addrs, addrs, addrs).Find(&held).Error; err != nil {
			return nil, nil, err
		}
		for _, sh := range held {
			hold(holders, sh)
		}
	}
	// Customers imported under an address written in another letter case
	// or form ("Grace@Example.com") hold it too: one pass over those
	// imported under an address, not a scan per batch of rows.
	if len(rows) > 0 {
		want := make(map[string]bool, len(ems))
		for _, em := range ems {
			want[em] = true
		}
		var byAddress []Shopper
		err := tx.Where("imported_as LIKE ? AND email IS NULL AND claim_email IS NULL", "%@%").Find(&byAddress).Error
		if err != nil {
			return nil, nil, err
		}
		for _, sh := range byAddress {
			if f := FoldEmail(*sh.ImportedAs); want[f] && f != *sh.ImportedAs {
				hold(holders, sh)
			}
		}
	}
	// A customer the rows give another address no longer holds their old
	// one: two customers may swap addresses in one file.
	moving := map[uint]bool{}
	for _, r := range rows {
		if sh, ok := byID[r.UserID]; ok {
			moving[sh.ID] = true
		}
	}
	var ps []CustomerEmailProblem
	for i, r := range rows {
		bad := func(field, format string, args ...any) {
			ps = append(ps, CustomerEmailProblem{Index: i, Field: field, Reason: fmt.Sprintf(format, args...)})
		}
		sh, known := byID[r.UserID]
		switch {
		case strings.HasPrefix(r.UserID, "v:"):
			bad("user_id", "%s is an anonymous visitor's id, not a customer's", Quoted(r.UserID))
			continue
		case !known && forgotten[r.UserID]:
			bad("user_id", "customer %s was deleted on request; nothing of theirs is brought back", Quoted(r.UserID))
			continue
		case known && (sh.Email != nil || sh.PasswordHash != ""):
			if sh.Email == nil || *sh.Email != r.Email {
				bad("user_id", "customer %s already has an account here (they set a password): the address they log in with is theirs, and a file does not change it", Quoted(r.UserID))
			}
			continue
		case !known && (inFile == nil || !inFile(r.UserID)):
			bad("user_id", "unknown user_id %s: no customer of the events file or of an earlier import has it", Quoted(r.UserID))
			continue
		}
		seen := map[uint]bool{}
		for _, h := range holders[r.Email] {
			if known && h.ID == sh.ID || seen[h.ID] {
				continue
			}
			seen[h.ID] = true
			switch {
			case h.Email != nil && *h.Email == r.Email:
				bad("email", "%s is the address of an account registered here: that account keeps it, so it is not given to %s", r.Email, Quoted(r.UserID))
			case moving[h.ID]:
				// given another address by these rows
			case h.ClaimEmail != nil && *h.ClaimEmail == r.Email:
				bad("email", "%s is already given to customer %s", r.Email, Quoted(h.FileID()))
			case h.ClaimsImport() && h.ClaimEmail == nil && FoldEmail(*h.ImportedAs) == r.Email:
				bad("email", "%s is the id customer %s was imported under, which is their address", r.Email, Quoted(h.FileID()))
			}
		}
	}
	return ps, byID, nil
}

// hold files sh under each address it holds: its account's, the one
// given to it, and the id it was imported under.
func hold(holders map[string][]Shopper, sh Shopper) {
	for _, em := range []*string{sh.Email, sh.ClaimEmail, sh.ImportedAs} {
		if em != nil {
			holders[FoldEmail(*em)] = append(holders[FoldEmail(*em)], sh)
		}
	}
}

// Quoted quotes an id or a file's cell for a message, cut at 40 bytes (on
// a character's boundary) when longer.
func Quoted(s string) string {
	if len(s) > 40 {
		cut := 40
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// SetCustomerEmails gives the rows' customers their addresses (and names,
// where a row has one), checked again inside the import's transaction: an
// address registered here since the file was previewed is refused with
// ErrConflict, never attached. It answers how many customers changed.
func (b *BulkTx) SetCustomerEmails(rows []CustomerEmail) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	if err := lockTx(b.tx, "customer-email"); err != nil {
		return 0, err
	}
	ps, byID, err := checkCustomerEmails(b.tx, rows, nil)
	if err != nil {
		return 0, fmt.Errorf("models: check customer emails: %w", err)
	}
	if len(ps) > 0 {
		p := ps[0]
		return 0, fmt.Errorf("%w: customer %s, %s: %s (nothing was written)", ErrConflict, Quoted(rows[p.Index].UserID), p.Field, p.Reason)
	}
	var clear []uint
	for _, r := range rows {
		if sh := byID[r.UserID]; sh.ClaimsImport() && sh.ClaimEmail != nil && *sh.ClaimEmail != r.Email {
			clear = append(clear, sh.ID)
		}
	}
	for start := 0; start < len(clear); start += bulkBatch {
		if err := b.tx.Model(&Shopper{}).Where("id IN ?", clear[start:min(start+bulkBatch, len(clear))]).Update("claim_email", nil).Error; err != nil {
			return 0, fmt.Errorf("models: customer emails: %w", err)
		}
	}
	now := time.Now().UTC()
	changed := 0
	var todo []CustomerEmail
	for _, r := range rows {
		sh := byID[r.UserID]
		if sh.ID != 0 && !sh.ClaimsImport() {
			continue // already their account's address
		}
		todo = append(todo, r)
		if sh.ClaimEmail == nil || *sh.ClaimEmail != r.Email || r.Name != "" && r.Name != sh.Name {
			changed++
		}
	}
	// A statement per batch of customers (CASE on the id), not per customer.
	const batch = 200
	for start := 0; start < len(todo); start += batch {
		part := todo[start:min(start+batch, len(todo))]
		var email, name strings.Builder
		var emailArgs, nameArgs []any
		ids := make([]string, len(part))
		email.WriteString("CASE imported_as")
		name.WriteString("CASE imported_as")
		for i, r := range part {
			ids[i] = r.UserID
			email.WriteString(" WHEN ? THEN ?")
			emailArgs = append(emailArgs, r.UserID, r.Email)
			if r.Name != "" {
				name.WriteString(" WHEN ? THEN ?")
				nameArgs = append(nameArgs, r.UserID, r.Name)
			}
		}
		email.WriteString(" END")
		name.WriteString(" ELSE name END")
		set := map[string]any{"claim_email": gorm.Expr(email.String(), emailArgs...), "updated_at": now}
		if len(nameArgs) > 0 {
			set["name"] = gorm.Expr(name.String(), nameArgs...)
		}
		// COALESCE keeps the planner on imported_as's index: "email IS
		// NULL" led SQLite to the email index, every customer without an
		// account, for each batch (27 s for 50,000 customers on a loaded
		// machine, then 1.7 s).
		res := b.tx.Model(&Shopper{}).Where("imported_as IN ? AND COALESCE(email, '') = ''", ids).Updates(set)
		if res.Error != nil {
			return 0, fmt.Errorf("models: give %d customers an email: %w", len(part), res.Error)
		}
		if res.RowsAffected != int64(len(part)) {
			return 0, fmt.Errorf("%w: %d of %d customers are not in the shop (nothing was written)", ErrConflict, int64(len(part))-res.RowsAffected, len(part))
		}
	}
	return changed, nil
}

// ErrHasAccount is a customer who set a password: the address they log in
// with is theirs, and the shop does not change it.
var ErrHasAccount = fmt.Errorf("models: the customer has an account: %w", ErrConflict)

// SetCustomerEmail gives one imported customer without an account the
// address "Forgot your password?" sends their first password to (a staff
// correction of a customers file, or a customer who phoned the shop),
// audited under actor. The address is refused, as a ValidationError on
// "email", when it is malformed or CheckCustomerEmails refuses it; a
// customer who has an account is ErrHasAccount.
func (db *DB) SetCustomerEmail(ctx context.Context, shopperID uint, email, actor string) (*Shopper, error) {
	em, ok := NormalizeEmail(email)
	if !ok {
		return nil, &ValidationError{Fields: map[string]string{"email": "Enter a valid email address."}}
	}
	if MailDomainProblem(em) != "" {
		return nil, &ValidationError{Fields: map[string]string{"email": "Enter an address on a domain of the internet, such as name@example.com: the shop sends no email inside its own network."}}
	}
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockTx(tx, "customer-email"); err != nil {
			return err
		}
		var sh Shopper
		if err := tx.Where("id = ?", shopperID).Limit(1).Find(&sh).Error; err != nil {
			return err
		}
		switch {
		case sh.ID == 0:
			return ErrNotFound
		case !sh.ClaimsImport():
			return ErrHasAccount
		case sh.ClaimEmail != nil && *sh.ClaimEmail == em:
			return nil
		}
		ps, _, err := checkCustomerEmails(tx, []CustomerEmail{{UserID: *sh.ImportedAs, Email: em}}, nil)
		if err != nil {
			return err
		}
		if len(ps) > 0 {
			return &ValidationError{Fields: map[string]string{"email": strings.ToUpper(ps[0].Reason[:1]) + ps[0].Reason[1:] + "."}}
		}
		if err := tx.Model(&Shopper{}).Where("id = ?", sh.ID).Updates(map[string]any{"claim_email": em, "updated_at": time.Now().UTC()}).Error; err != nil {
			return err
		}
		detail := "address set to " + maskEmail(em)
		if sh.ClaimEmail != nil {
			detail = "address " + maskEmail(*sh.ClaimEmail) + " → " + maskEmail(em)
		}
		return audit(tx, actor, "customer.email", sh.FileID(), detail)
	})
	var ve *ValidationError
	switch {
	case errors.As(err, &ve), errors.Is(err, ErrNotFound), errors.Is(err, ErrHasAccount):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("models: set email of customer %d: %w", shopperID, err)
	}
	return db.ShopperByID(ctx, shopperID)
}

// maskEmail shows an address in the audit log as its first letter and
// its domain (a…@example.com): enough to tell two corrections apart,
// without keeping a customer's address in a log their deletion leaves.
func maskEmail(em string) string {
	at := strings.LastIndexByte(em, '@')
	if at <= 0 {
		return "…"
	}
	first, _ := utf8.DecodeRuneInString(em)
	return string(first) + "…" + em[at:]
}

// EmailRegistered tells whether an account registered here uses the
// address: a customer given it can then no longer claim it.
func (db *DB) EmailRegistered(ctx context.Context, em string) (bool, error) {
	var n int64
	if err := db.R.WithContext(ctx).Model(&Shopper{}).Where("email = ?", FoldEmail(em)).Count(&n).Error; err != nil {
		return false, fmt.Errorf("models: find account by email: %w", err)
	}
	return n > 0, nil
}

// CustomerByClaimEmail finds the imported customer given the address.
func (db *DB) CustomerByClaimEmail(ctx context.Context, email string) (*Shopper, error) {
	var sh Shopper
	if err := db.R.WithContext(ctx).Where("claim_email = ?", FoldEmail(email)).First(&sh).Error; err != nil {
		return nil, notFound(err, "find customer given %q", email)
	}
	return &sh, nil
}
