package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// pt is a point in the viewport, in CSS pixels.
type pt struct{ x, y float64 }

// point is a spot inside the first element matching sel, after scrolling it
// into view: its horizontal centre, at fraction fy of its height.
func (b *tab) point(sel string, fy float64) pt {
	b.t.Helper()
	q, _ := json.Marshal(sel)
	xy := eval[[]float64](b, fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.scrollIntoView({block: "nearest"});
		const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height * %v]; })()`, q, fy))
	return pt{xy[0], xy[1]}
}

// drag drags with the mouse from one point to another the way a person
// does: press, a small move that starts the drag, a glide in steps, release.
//
// chromedp.DragAndDropXY sends its steps back to back, faster than any hand;
// SortableJS ignores the pointer while a row animates into its new place, so
// only the first swap of such a drag lands. Here each step waits until the
// list in listSel has no animating row (a poll with a deadline, not a sleep).
//
// Headless Chromium does not finish a native HTML5 drag from mouse events
// alone, so, as chromedp does, the drag is intercepted once the browser
// starts it and continues with Input.dispatchDragEvent. A page that drags on
// mouse events alone (no native drag starts) gets mouse moves throughout.
func (b *tab) drag(listSel string, from, to pt, steps int) {
	b.t.Helper()
	mouse := func(typ input.DispatchMouseEventType, at pt) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			p := input.DispatchMouseEventParams{Type: typ, X: at.x, Y: at.y, Button: input.MouseButtonLeft, Buttons: 1}
			if typ != chromedp.MouseMoved {
				p.ClickCount = 1
			}
			if typ == chromedp.MouseReleased {
				p.Buttons = 0
			}
			_, err := cdp.Call(ctx, t, input.DispatchMouseEvent, p)
			return err
		})
	}
	intercept := func(on bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.SetInterceptDrags, input.SetInterceptDragsParams{Enabled: on})
			return err
		})
	}
	q, _ := json.Marshal(listSel + " > *")
	settled := fmt.Sprintf(`Array.from(document.querySelectorAll(%s)).every(e => !e.animated)`, q)
	waitSettled := func(what string) {
		b.t.Helper()
		eventually(b.t, 3*time.Second, func() string {
			if !eval[bool](b, settled) {
				return "the list is still animating " + what
			}
			return ""
		})
	}

	b.do("press the mouse", intercept(true), mouse(chromedp.MousePressed, from))
	defer func() {
		// Leave the button up and interception off, also after a failure.
		ctx, cancel := context.WithTimeout(b.browser, 3*time.Second)
		defer cancel()
		_ = chromedp.Do(ctx, intercept(false))
	}()

	// A few pixels towards the target pass the browser's drag threshold.
	dir := 1.0
	if to.y < from.y {
		dir = -1
	}
	start := pt{from.x, from.y + dir*12}
	waitCtx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	ev, err := chromedp.Run(waitCtx, chromedp.WaitEvent(input.DragIntercepted, nil, mouse(chromedp.MouseMoved, start)))
	cancel()
	native := err == nil
	if native {
		b.t.Log("drag: the browser started a native HTML5 drag; continuing it with drag events")
	} else {
		b.t.Log("drag: no native drag started; continuing with mouse moves")
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		b.t.Fatalf("start the drag: %v\n%s", err, b.where())
	}

	dragEvent := func(typ input.DispatchDragEventType, at pt) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: at.x, Y: at.y, Data: ev.Data})
			return err
		})
	}
	move := func(at pt) chromedp.Action[chromedp.Void] {
		if native {
			return dragEvent(input.DispatchDragEventTypeDragOver, at)
		}
		return mouse(chromedp.MouseMoved, at)
	}
	if native {
		b.do("enter the list", dragEvent(input.DispatchDragEventTypeDragEnter, start))
	}
	for i := 1; i <= steps; i++ {
		f := float64(i) / float64(steps)
		b.do("move the mouse", move(pt{start.x + (to.x-start.x)*f, start.y + (to.y-start.y)*f}))
		waitSettled(fmt.Sprintf("after step %d of %d", i, steps))
	}
	// Hover at the target once more after the last animation, then drop.
	b.do("hover over the target", move(to))
	waitSettled("at the target")
	if native {
		b.do("drop", dragEvent(input.DispatchDragEventTypeDrop, to))
	}
	b.do("release the mouse", mouse(chromedp.MouseReleased, to))
}
