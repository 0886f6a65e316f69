#!/bin/sh
# Build a libFuzzer seed corpus for one loader harness from model folders and
# fixtures. Usage: fuzz/seed.sh csv|ini|model OUTDIR SRC...
#   ini    every *.ini under SRC, copied as is
#   csv    every *.csv under SRC, prefixed with the byte that makes fuzz_csv
#          write it as the file of the same name (plain copy for other names)
#   model  every folder under SRC holding model.ini or applicants.csv, its
#          seven files joined with the 0x1E separator fuzz_model splits at
# Seeds are named after their source path; a SRC that does not exist is skipped.
# csv also gets two generated seeds with a 4096- and a 4097-byte field (the
# longest accepted and the shortest rejected), so FUZZ_MAX_LEN must be > 4200.
set -eu
kind=$1 out=$2
shift 2
mkdir -p "$out"
files="model.ini applicants.csv programs.csv interviews.csv applicant_rols.csv program_rols.csv couples.csv"
name() { printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_'; }
for src in "$@"; do
    [ -e "$src" ] || continue
    case $kind in
    ini)
        find "$src" -type f -name '*.ini' | sort | while read -r f; do
            cp "$f" "$out/$(name "$f")"
        done ;;
    csv)
        find "$src" -type f -name '*.csv' | sort | while read -r f; do
            case $(basename "$f") in
            applicants.csv) b='\001' ;; programs.csv) b='\002' ;; interviews.csv) b='\003' ;;
            applicant_rols.csv) b='\004' ;; program_rols.csv) b='\005' ;; couples.csv) b='\006' ;;
            *) b='' ;;
            esac
            { printf "$b"; cat "$f"; } >"$out/$(name "$f")"
        done ;;
    model)
        find "$src" -type f \( -name model.ini -o -name applicants.csv \) -exec dirname {} \; |
            sort -u | while read -r d; do
            sep=''
            for f in $files; do
                printf "$sep"
                if [ -f "$d/$f" ]; then cat "$d/$f"; fi
                sep='\036'
            done >"$out/$(name "$d")"
        done ;;
    *) echo "seed.sh: unknown harness '$kind'" >&2; exit 2 ;;
    esac
done
if [ "$kind" = csv ]; then
    for len in 4096 4097; do
        { printf 'id,type,pre_score,communication,clinical_years,us_experience,visa\n'
          head -c "$len" /dev/zero | tr '\000' A
          printf ',US_MD,0.5,0.9,0,sub_i,none\n'; } >"$out/generated_long_field_$len"
    done
fi
