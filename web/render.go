package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/templates"
)

// render writes a component into a pooled buffer first, so a failing render
// never sends half a page.
func render(c echo.Context, status int, t templ.Component) error {
	buf := templ.GetBuffer()
	defer templ.ReleaseBuffer(buf)
	if err := t.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// errorHandler maps errors to pages and status codes in one place and logs
// only server errors, with the request id.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	// The request's context may already be cancelled by the timeout
	// middleware; the error page must still render.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	status := http.StatusInternalServerError
	heading, msg := "Something went wrong", "We could not show this page. Please try again; if it keeps happening, tell us the request id below."
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		switch status {
		case http.StatusNotFound:
			heading, msg = "Page not found", "We could not find that page. It may have moved, or the address may be mistyped."
		case http.StatusForbidden:
			heading, msg = "Not allowed", "You do not have access to this page, or the form expired. Go back, reload and try again."
		case http.StatusBadRequest:
			heading, msg = "Bad request", "The request could not be understood."
			if m, ok := he.Message.(string); ok {
				msg = m
				if strings.Contains(m, "csrf") {
					heading, msg = "The form expired", "Go back, reload the page and try again."
				}
			}
		case http.StatusRequestEntityTooLarge:
			heading, msg = "Too large", "The request was larger than the shop accepts."
		case http.StatusTooManyRequests:
			heading, msg = "Too many requests", "Please wait a moment and try again."
		case http.StatusMethodNotAllowed:
			heading, msg = "Not allowed", "This address does not accept that kind of request."
		case http.StatusServiceUnavailable:
			heading, msg = "Busy", "The shop is busy. Please try again in a moment."
		default:
			if status < 500 {
				heading = http.StatusText(status)
				if m, ok := he.Message.(string); ok {
					msg = m
				}
			}
		}
	case models.IsBusy(err) || errors.Is(err, context.DeadlineExceeded):
		// Past the request's deadline (a database that stayed busy, a
		// pool with no connection free in time): try again, not a defect.
		status = http.StatusServiceUnavailable
		heading, msg = "Busy", "The shop is busy. Please try again in a moment."
	case errors.Is(err, models.ErrNotFound):
		status = http.StatusNotFound
		heading, msg = "Not found", "We could not find what you were looking for."
	case errors.Is(err, models.ErrForbidden):
		status = http.StatusForbidden
		heading, msg = "Not allowed", "You do not have access to this."
	case errors.Is(err, models.ErrInvalid):
		status = http.StatusBadRequest
		heading, msg = "Bad request", err.Error()
	case errors.Is(err, models.ErrConflict):
		status = http.StatusConflict
		heading, msg = "Conflict", "Someone else changed this at the same time. Reload and try again."
	}
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.Error("request failed", "request_id", rid, "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	if isAPI(c) {
		// API clients get the handler's own words (which key, which scope),
		// not the page wording meant for a browser.
		if m, ok := apiMessage(he); ok && status < 500 {
			msg = m
		}
		_ = c.JSON(status, map[string]any{"error": msg, "status": status, "request_id": rid})
		return
	}
	// Asset addresses (a product's picture, an upload) are served outside
	// withShop: their error page names the shop too, not "Storefront".
	v, _ := s.currentShopView(c.Request().Context())
	c.SetRequest(c.Request().WithContext(templates.WithShop(c.Request().Context(), v)))
	b := s.base(c, heading)
	b.RequestID = rid
	if err := render(c, status, templates.ErrorPage(b, status, heading, msg)); err != nil {
		s.log.Error("render error page", "request_id", rid, "err", err)
		_ = c.String(status, heading)
	}
}

func apiMessage(he *echo.HTTPError) (string, bool) {
	if he == nil {
		return "", false
	}
	m, ok := he.Message.(string)
	return m, ok && m != ""
}

func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return len(p) >= 5 && p[:5] == "/api/"
}

// handleErrors renders an error inside the session middleware, so the page
// can use the session and the session is saved exactly once.
func (s *Server) handleErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := next(c); err != nil {
			s.errorHandler(err, c)
		}
		return nil
	}
}

// bodyMark stands for a cached body while the layout around it is rendered
// (escaped text cannot contain "<").
const bodyMark = "<!--cached-body-7d1f-->"

var bodyMarkComponent = templ.Raw(bodyMark)

// renderCached writes the layout around a cached body: to a client that
// accepts gzip as one gzip member holding the body's compressed pieces as
// they are (see gzbody.go), to others inflated.
func renderCached(c echo.Context, status int, b templates.Base, bd body) error {
	h := c.Response().Header()
	h[echo.HeaderVary] = varyAlso(h[echo.HeaderVary], echo.HeaderAcceptEncoding)
	gz := acceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding))
	if gz && bd.plain != nil {
		if l := bd.plain.Load(); l.fits(&b) {
			out := templ.GetBuffer()
			defer templ.ReleaseBuffer(out)
			g := newGzipWriter(out)
			l.writeGzip(g, bd, b.CSRF)
			g.close()
			h.Set(echo.HeaderContentEncoding, "gzip")
			return writeBody(c, status, out)
		}
	}
	if gz && bd.shopper != nil && shopperVisitor(&b) {
		l := bd.shopper.Load()
		if !l.fits(&b) {
			var err error
			if l, err = newShopperLayout(c.Request().Context(), b); err != nil {
				return err
			}
			if l != nil {
				bd.shopper.Store(l)
			}
		}
		if l != nil {
			out := templ.GetBuffer()
			defer templ.ReleaseBuffer(out)
			g := newGzipWriter(out)
			l.writeGzip(g, bd, b.ShopperName, b.CSRF)
			g.close()
			h.Set(echo.HeaderContentEncoding, "gzip")
			return writeBody(c, status, out)
		}
	}
	page := templ.GetBuffer()
	defer templ.ReleaseBuffer(page)
	if err := templates.Page(b, bodyMarkComponent).Render(c.Request().Context(), page); err != nil {
		return err
	}
	head, tail, ok := bytes.Cut(page.Bytes(), []byte(bodyMark))
	if !ok {
		return errors.New("render cached page: the layout did not place the body")
	}
	if gz && bd.plain != nil && plainVisitor(&b) && (b.CSRF == "" || !bytes.Contains(page.Bytes(), []byte(b.CSRF))) {
		// A plain visitor's layout is kept for the next ones (a layout
		// showing the token would not be theirs) from the first view on:
		// it costs the page's own <head>, compressed, the header and
		// footer being pieces shared by every body and compressed once.
		bd.plain.Store(newPlainLayout(&b, head, tail))
	}
	out := templ.GetBuffer()
	defer templ.ReleaseBuffer(out)
	if gz {
		g := newGzipWriter(out)
		g.stored(head)
		bd.writeGzip(g, b.CSRF)
		g.stored(tail)
		g.close()
		h.Set(echo.HeaderContentEncoding, "gzip")
	} else {
		out.Write(head)
		if err := bd.writeTo(out, b.CSRF); err != nil {
			return err
		}
		out.Write(tail)
	}
	return writeBody(c, status, out)
}

// keepPlainLayout renders the layout around bd as plain visitors get it
// (b is such a visitor's, its token csrfMark) and keeps it with bd, as the
// first plain visitor's view would (renderCached). A layout that shows the
// token is not kept: it would not be the next visitor's.
func keepPlainLayout(ctx context.Context, b templates.Base, bd body) error {
	if bd.plain == nil || !plainVisitor(&b) || b.CSRF != csrfMark {
		return errors.New("keep a plain layout: not a plain visitor's")
	}
	page := templ.GetBuffer()
	defer templ.ReleaseBuffer(page)
	if err := templates.Page(b, bodyMarkComponent).Render(ctx, page); err != nil {
		return err
	}
	head, tail, ok := bytes.Cut(page.Bytes(), []byte(bodyMark))
	if !ok {
		return errors.New("keep a plain layout: the layout did not place the body")
	}
	if !bytes.Contains(page.Bytes(), []byte(csrfMark)) {
		bd.plain.Store(newPlainLayout(&b, head, tail))
	}
	return nil
}

// writeBody sends a page with its length: a page that fits the server's
// write buffer with its headers goes out in one write, not chunked (the
// chunks' end was a write of its own).
func writeBody(c echo.Context, status int, out *bytes.Buffer) error {
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(out.Len()))
	return c.HTMLBlob(status, out.Bytes())
}

// varyAlso adds name to a Vary header's values once, and lists each value
// once: the session and CSRF middleware each add "Cookie".
func varyAlso(vary []string, name string) []string {
	out := make([]string, 0, len(vary)+1)
	for _, v := range append(vary, name) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
