/* Serialising a spec back to JSON: the normalised form, every default
 * written out, keys in the order of docs/spec.md. */
#include "offload/spec.h"

#include <jansson.h>
#include <stdlib.h>

/* Sets 'key' to 'value' (a new reference, NULL on ENOMEM). Returns
 * false once anything failed, so the callers can chain with &&. */
static bool
set(json_t *obj, const char *key, json_t *value)
{
    return value && !json_object_set_new(obj, key, value);
}

static bool
append(json_t *arr, json_t *value)
{
    return value && !json_array_append_new(arr, value);
}

static bool
set_tristate(json_t *obj, const char *key, enum spec_tristate t)
{
    return t == SPEC_UNSET || set(obj, key, json_boolean(t == SPEC_TRUE));
}

/* "vdpa" as given: name, mgmtdev, max_vqp and mtu only when set (their
 * defaults depend on the host). */
static bool
set_vdpa(json_t *vf, const struct spec_vdpa *d)
{
    if (d->driver == SPEC_VDPA_NONE) {
        return true;
    }
    json_t *o = json_object();
    bool ok =
        o && set(o, "driver", json_string(spec_vdpa_driver_name(d->driver))) &&
        (!d->name[0] || set(o, "name", json_string(d->name))) &&
        (!d->max_vqp || set(o, "max_vqp", json_integer(d->max_vqp))) &&
        (!d->mtu || set(o, "mtu", json_integer(d->mtu))) &&
        (!d->mgmtdev[0] || set(o, "mgmtdev", json_string(d->mgmtdev)));
    if (!ok) {
        json_decref(o);
        return false;
    }
    return set(vf, "vdpa", o);
}

static json_t *
vf_to_json(const struct spec_vf *vf)
{
    json_t *o = json_object();
    char mac[18];

    if (o && set(o, "index", json_integer(vf->index)) &&
        (!vf->has_mac ||
         set(o, "mac", json_string(spec_mac_to_string(vf->mac, mac)))) &&
        set(o, "vlan", json_integer(vf->vlan)) &&
        set_tristate(o, "trust", vf->trust) &&
        set_tristate(o, "spoofchk", vf->spoofchk) &&
        set(o, "attach", json_boolean(vf->attach)) && set_vdpa(o, &vf->vdpa)) {
        return o;
    }
    json_decref(o);
    return NULL;
}

static json_t *
pf_to_json(const struct spec_pf *pf)
{
    json_t *o = json_object();
    json_t *vfs = json_array();
    const char *inline_mode = spec_inline_mode_name(pf->inline_mode);
    const char *encap_mode = spec_encap_mode_name(pf->encap_mode);
    const char *steering = spec_steering_mode_name(pf->steering_mode);
    bool ok = o && vfs;

    ok = ok && set(o, spec_pf_key_name(pf->key), json_string(pf->id)) &&
         set(o, "eswitch", json_string(spec_eswitch_mode_name(pf->eswitch))) &&
         (!inline_mode || set(o, "inline_mode", json_string(inline_mode))) &&
         (!encap_mode || set(o, "encap_mode", json_string(encap_mode))) &&
         (!steering || set(o, "steering_mode", json_string(steering))) &&
         set(o, "num_vfs", json_integer(pf->num_vfs)) &&
         set(o, "vf_driver",
             pf->vf_driver ? json_string(pf->vf_driver) : json_null()) &&
         set(o, "hw_tc_offload", json_boolean(pf->hw_tc_offload)) &&
         (!pf->bridge || set(o, "bridge", json_string(pf->bridge))) &&
         set(o, "attach_uplink", json_boolean(pf->attach_uplink)) &&
         set(o, "disruptive",
             json_string(spec_disruptive_name(pf->disruptive)));
    for (size_t i = 0; ok && i < pf->n_vfs; i++) {
        ok = append(vfs, vf_to_json(&pf->vfs[i]));
    }
    if (ok && set(o, "vfs", vfs)) {
        return o;
    }
    if (!ok) {
        json_decref(vfs);
    }
    json_decref(o);
    return NULL;
}

/* A bond member by the key its PF is declared with. */
static json_t *
member_to_json(const struct spec *spec, size_t pf_index)
{
    json_t *o = json_object();
    const struct spec_pf *pf =
        pf_index < spec->n_pfs ? &spec->pfs[pf_index] : NULL;

    if (o && pf && set(o, spec_pf_key_name(pf->key), json_string(pf->id))) {
        return o;
    }
    json_decref(o);
    return NULL;
}

static json_t *
bond_to_json(const struct spec *spec, const struct spec_bond *b)
{
    json_t *o = json_object();
    json_t *pfs = json_array();
    const char *hash = spec_xmit_hash_name(b->xmit_hash);
    const char *rate = spec_lacp_rate_name(b->lacp_rate);
    bool ok = o && pfs;

    for (size_t i = 0; ok && i < SPEC_BOND_N_PFS; i++) {
        ok = append(pfs, member_to_json(spec, b->pfs[i]));
    }
    ok = ok && set(o, "name", json_string(b->name)) &&
         set(o, "mode", json_string(spec_bond_mode_name(b->mode))) &&
         set(o, "pfs", json_incref(pfs)) &&
         set(o, "miimon", json_integer(b->miimon_ms)) &&
         (!hash || set(o, "xmit_hash_policy", json_string(hash))) &&
         (!rate || set(o, "lacp_rate", json_string(rate))) &&
         (!b->bridge || set(o, "bridge", json_string(b->bridge)));
    json_decref(pfs);
    if (ok) {
        return o;
    }
    json_decref(o);
    return NULL;
}

char *
spec_to_json_string(const struct spec *spec, unsigned flags)
{
    json_t *root = json_object();
    json_t *ovs = json_object();
    json_t *bridges = json_array();
    json_t *pfs = json_array();
    char *out = NULL;
    bool ok = root && ovs && bridges && pfs;

    ok = ok && set(ovs, "db", json_string(spec->ovs.db)) &&
         set(ovs, "hw_offload", json_boolean(spec->ovs.hw_offload)) &&
         set(ovs, "tc_policy",
             json_string(spec_tc_policy_name(spec->ovs.tc_policy))) &&
         (!spec->ovs.max_idle_ms ||
          set(ovs, "max_idle_ms", json_integer(spec->ovs.max_idle_ms)));
    for (size_t i = 0; ok && i < spec->n_bridges; i++) {
        json_t *br = json_object();
        ok = br && set(br, "name", json_string(spec->bridges[i].name));
        ok = ok ? append(bridges, br) : (json_decref(br), false);
    }
    for (size_t i = 0; ok && i < spec->n_pfs; i++) {
        ok = append(pfs, pf_to_json(&spec->pfs[i]));
    }
    /* Written only when there are bonds, so that a spec without any
     * reads as it did before bonds existed. */
    json_t *bonds = spec->n_bonds ? json_array() : NULL;
    ok = ok && (!spec->n_bonds || bonds);
    for (size_t i = 0; ok && i < spec->n_bonds; i++) {
        ok = append(bonds, bond_to_json(spec, &spec->bonds[i]));
    }
    /* json_object_set_new() takes the reference even when it fails, so
     * each container is handed over exactly once. */
    if (ok) {
        ok = set(root, "version", json_integer(spec->version));
        ok = set(root, "ovs", ovs) && ok;
        ok = set(root, "bridges", bridges) && ok;
        ok = set(root, "pfs", pfs) && ok;
        ok = (!bonds || set(root, "bonds", bonds)) && ok;
        if (ok) {
            out = json_dumps(root,
                             JSON_PRESERVE_ORDER |
                                 ((flags & SPEC_JSON_PRETTY) ? JSON_INDENT(2)
                                                             : JSON_COMPACT));
        }
    } else {
        json_decref(ovs);
        json_decref(bridges);
        json_decref(pfs);
        json_decref(bonds);
    }
    json_decref(root);
    return out;
}
