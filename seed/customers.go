package seed

import (
	"context"
	"slices"
	"strings"

	"storefront/models"
)

// A customers file gives customers an import brought under an id of the
// shop system (cust0042, a number) the address they claim their history
// with: "Forgot your password?" on the login page then sends them their
// first password (models.DB.StartPasswordReset). Columns: user_id, email
// (+ optional name).

var (
	customerColumns         = []string{"user_id", "email"}
	customerOptionalColumns = []string{"name"}
)

// CustomerColumns are the customers file's required and optional columns.
func CustomerColumns() (required, optional []string) {
	return slices.Clone(customerColumns), slices.Clone(customerOptionalColumns)
}

// PreviewCustomer is a customers row as it will be stored.
type PreviewCustomer struct {
	Line   int
	UserID string
	Email  string
	Name   string
}

type customerRow struct {
	line int
	models.CustomerEmail
}

type customerFile struct {
	name    string
	rows    []customerRow
	preview []PreviewCustomer
}

func (cf *customerFile) emails() []models.CustomerEmail {
	out := make([]models.CustomerEmail, len(cf.rows))
	for i, r := range cf.rows {
		out[i] = r.CustomerEmail
	}
	return out
}

// readCustomers reads a customers file and checks it against the events
// file read before (es: its customers are known) and the shop: every row
// names a customer of either, each user_id and each address once, and no
// address an account here or another imported customer holds
// (models.DB.CheckCustomerEmails). Addresses are kept as the shop keeps
// them (models.NormalizeEmail: lower case, normal form C).
func readCustomers(ctx context.Context, db *models.DB, path string, es *eventSet, probs *problems) (*customerFile, error) {
	c, err := openCSV(path, customerColumns, customerOptionalColumns, probs)
	if err != nil || c == nil {
		return nil, err
	}
	defer c.f.Close()
	cf := &customerFile{name: c.name}
	byUser := map[string]int{}  // user id → line
	byEmail := map[string]int{} // address → line
	userOf := map[int]string{}  // line → user id, for messages
	for n := 0; ; n++ {
		if n%50_000 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec, line, ok := c.next(probs)
		if !ok {
			break
		}
		before := probs.total
		bad := func(field, format string, args ...any) { probs.add(c.name, line, field, format, args...) }
		user, _ := c.get(rec, "user_id")
		user = models.NormalID(user)
		if problem := userIDProblem(user); problem != "" {
			bad("user_id", "%s", problem)
		} else if at, dup := byUser[user]; dup {
			bad("user_id", "%s is also on line %d: give each customer one address", short(user), at)
		} else {
			byUser[strings.Clone(user)] = line
		}
		cell, _ := c.get(rec, "email")
		em, valid := models.NormalizeEmail(cell)
		switch {
		case cell == "":
			bad("email", "is empty")
		case !valid:
			bad("email", "%s is not an email address", short(cell))
		case models.MailDomainProblem(em) != "":
			bad("email", "%s: the shop sends no email to %s, so the customer could not be sent their first password",
				short(cell), models.MailDomainProblem(em))
		default:
			if at, dup := byEmail[em]; dup {
				bad("email", "%s is also given to %s on line %d: one address is one customer's", short(em), short(userOf[at]), at)
			} else {
				byEmail[em], userOf[line] = line, strings.Clone(user)
			}
		}
		name, _ := c.get(rec, "name")
		if name != "" {
			if msg := models.NameProblem(name); msg != "" {
				bad("name", "%s", strings.TrimSuffix(msg, "."))
			}
		}
		if probs.total > before {
			continue
		}
		row := customerRow{line: line, CustomerEmail: models.CustomerEmail{UserID: strings.Clone(user), Email: em, Name: strings.Clone(name)}}
		cf.rows = append(cf.rows, row)
		if len(cf.preview) < previewRows {
			cf.preview = append(cf.preview, PreviewCustomer{Line: line, UserID: row.UserID, Email: em, Name: row.Name})
		}
	}
	inFile := func(id string) bool {
		_, ok := es.userIdx[id]
		return ok
	}
	found, err := db.CheckCustomerEmails(ctx, cf.emails(), inFile)
	if err != nil {
		return nil, err
	}
	for _, p := range found {
		probs.add(c.name, cf.rows[p.Index].line, p.Field, "%s", p.Reason)
	}
	return cf, nil
}
