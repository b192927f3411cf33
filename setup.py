"""The fast engine's C extension (pyproject.toml holds everything else; its `ext-modules` table is still
experimental in setuptools and warns).

golden/_simd.c: the int16 multiply-add kernels, AVX2 chosen at run time and portable C otherwise. `optional`:
without a C compiler the install goes on and the engine runs its Numba kernels (qcsr.golden.simd.available()
is False).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("qcsr.golden._simd", ["golden/_simd.c"], extra_compile_args=["-O3"], optional=True)])
