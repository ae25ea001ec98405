/* Internal: a growable array filled by dump callbacks. */
#ifndef OA_NETLINK_VEC_H
#define OA_NETLINK_VEC_H 1

#include <stddef.h>
#include <stdlib.h>

struct oanl_vec {
    void *items;
    size_t n, cap, size;
};

/* Returns a new zeroed slot at the end, or NULL when out of memory. */
static inline void *
oanl_vec_push(struct oanl_vec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void *p = realloc(v->items, cap * v->size);
        if (!p) {
            return NULL;
        }
        v->items = p;
        v->cap = cap;
    }
    char *slot = (char *)v->items + v->n++ * v->size;
    for (size_t i = 0; i < v->size; i++) {
        slot[i] = 0;
    }
    return slot;
}

#endif
