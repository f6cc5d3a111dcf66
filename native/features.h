#ifndef NESTLET_FEATURES_H
#define NESTLET_FEATURES_H

/* nestletd's default --state-dir: where nestlet-runtime features tests ID-mapped mounts
 * ($NESTLET_STATE_DIR overrides it). */
#define NL_DEFAULT_STATE_DIR "/var/lib/nestlet"

/* `features`: runs argv (the runtime and its arguments), prints its JSON with
 * user namespaces and the idmap mount extension reported only when this
 * kernel offers them; returns the exit status. */
int nl_features(char **argv);

#endif
