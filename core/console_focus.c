/*
 * The console's input focus (bulkhead/console_focus.h).
 */
#include <bulkhead/console_focus.h>

int focus_current(const struct console_focus *f)
{
	return f->nr ? (int)f->targets[f->current] : -1;
}

unsigned int focus_feed(struct console_focus *f, const char *s, unsigned int n,
			const struct focus_ops *ops, void *ctx)
{
	unsigned int taken = 0;

	if (!f->nr)
		return n;
	while (taken < n) {
		char c = s[taken];
		unsigned int id = f->targets[f->current];

		if (c == FOCUS_KEY) {
			taken++;
			if (++f->held < FOCUS_PRESSES)
				continue;
			f->held = 0;
			f->current = (f->current + 1) % f->nr;
			ops->moved(f->targets[f->current], ctx);
			continue;
		}
		/* Held Ctrl-As go first, with the character that ended them. */
		if (ops->room(id, ctx) < f->held + 1)
			break;
		if (f->held) {
			static const char keys[FOCUS_PRESSES] = { FOCUS_KEY, FOCUS_KEY, FOCUS_KEY };

			ops->give(id, keys, f->held, ctx);
			f->held = 0;
		}
		ops->give(id, &c, 1, ctx);
		taken++;
	}
	return taken;
}
