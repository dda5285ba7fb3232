#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print, one per line, what the harness VM must carry for this interpreter
to run pytest: the standard library and the packages pytest imports."""
import os
import sys
import sysconfig

import pytest  # noqa: F401  (its import closure is what is wanted)

paths = {sysconfig.get_path('stdlib'), sysconfig.get_path('platstdlib')}
for m in list(sys.modules.values()):
    f = getattr(m, '__file__', None) or ''
    for d in sys.path:
        if d and os.path.isdir(d) and f.startswith(d + '/') and 'packages' in d:
            paths.add(os.path.join(d, f[len(d) + 1:].split('/')[0]))
print('\n'.join(sorted(p for p in paths if p and os.path.exists(p))))
