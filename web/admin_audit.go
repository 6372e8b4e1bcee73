package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"storefront/templates"
)

const auditPerPage = 50

// adminAudit lists admin changes, newest first.
func (s *Server) adminAudit(c echo.Context) error {
	page := pageParam(c)
	entries, total, err := s.db.AuditLogs(c.Request().Context(), page, auditPerPage)
	if err != nil {
		return err
	}
	vm := templates.AdminAuditPage{AdminBase: s.adminBase(c, "Audit log", "audit"), Total: int(total)}
	for _, e := range entries {
		vm.Entries = append(vm.Entries, templates.AdminAuditRow{When: templates.LocalTime(c.Request().Context(), e.CreatedAt), Actor: e.Actor,
			Action: e.Action, Target: e.Target, Detail: e.Detail})
	}
	vm.Pages, vm.Prev, vm.Next = pageLinks("/admin/audit?", page, int(total), auditPerPage)
	return render(c, http.StatusOK, templates.AdminAudit(vm))
}

// pageLinks builds pager links for base (which ends in "?" or "&").
func pageLinks(base string, page, total, perPage int) (links []templates.Link, prev, next string) {
	last := max(1, (total+perPage-1)/perPage)
	url := func(p int) string { return base + "page=" + strconv.Itoa(p) }
	for p := 1; p <= last; p++ {
		if p == 1 || p == last || (p >= page-2 && p <= page+2) {
			links = append(links, templates.Link{Label: strconv.Itoa(p), URL: url(p), Active: p == page})
		} else if len(links) > 0 && links[len(links)-1].URL != "" {
			links = append(links, templates.Link{Label: "…"})
		}
	}
	if page > 1 {
		prev = url(page - 1)
	}
	if page < last {
		next = url(page + 1)
	}
	return links, prev, next
}
