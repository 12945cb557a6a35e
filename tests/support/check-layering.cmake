# The layering rules of ARCHITECTURE.md ("Arrows run downward only"), checked on the sources under
# ${SOURCE}: at configure time (an upward include fails the build), by the `layering` test, and by the
# `layering-probe` test against a tree that breaks them on purpose (that test passes only if this fails).
#
# 1. core/ never mentions widgets.
# 2. Inside core, each folder includes only the folders below it:
#      model → (nothing but itself); mask → model; providers → model, mask; net, storage, secrets,
#      settings → model; demo (the offline server, which does I/O) → model, mask, net, storage;
#      tasks → everything but demo and appcore; logging.h is the ground floor of every folder; only
#      appcore (the composition root) includes everything.
# 3. ui/common includes no screen and not the shell; screens never include the shell.
#
# Usage: cmake -DSOURCE=<tree> -P check-layering.cmake, or include() it with SOURCE set.

if(NOT DEFINED SOURCE)
    message(FATAL_ERROR "check-layering: set SOURCE to the tree to check")
endif()

set(_layering_bad "")

# core/ must not depend on widgets.
file(GLOB_RECURSE _layering_files "${SOURCE}/core/*.h" "${SOURCE}/core/*.cpp" "${SOURCE}/core/CMakeLists.txt")
foreach(_f IN LISTS _layering_files)
    file(STRINGS "${_f}" _lines REGEX "QWidget|QApplication|QtWidgets|QMessageBox|Qt6::Widgets")
    foreach(_line IN LISTS _lines)
        string(APPEND _layering_bad "${_f}: mentions widgets: ${_line}\n")
    endforeach()
endforeach()

# What each core folder may include (besides itself and logging.h).
set(_allowed_model "")
set(_allowed_mask "model")
set(_allowed_providers "model;mask")
set(_allowed_net "model")
set(_allowed_storage "model")
set(_allowed_secrets "model")
set(_allowed_settings "model")
set(_allowed_demo "model;mask;net;storage")
set(_allowed_tasks "model;mask;providers;net;storage;secrets;settings")
set(_core_folders model mask providers net storage secrets settings demo tasks)
set(_ui_screens compose gallery history maskeditor queue settings)

# The layer of a file below SOURCE: "core/<folder>", "core/<root file>", "ui/<folder>" or "".
function(_layer_of path out)
    file(RELATIVE_PATH rel "${SOURCE}" "${path}")
    string(REPLACE "/" ";" parts "${rel}")
    list(LENGTH parts n)
    list(GET parts 0 top)
    if(n GREATER 2)
        list(GET parts 1 second)
        set(${out} "${top}/${second}" PARENT_SCOPE)
    elseif(n EQUAL 2)
        list(GET parts 1 second)
        get_filename_component(base "${second}" NAME_WE)
        set(${out} "${top}/=${base}" PARENT_SCOPE)
    else()
        set(${out} "" PARENT_SCOPE)
    endif()
endfunction()

# Where `#include "name"` in `file` resolves: its own folder, then ui/ (for ui files), then core/.
function(_resolve file name out)
    get_filename_component(dir "${file}" DIRECTORY)
    file(RELATIVE_PATH rel "${SOURCE}" "${file}")
    set(roots "${dir}")
    if(rel MATCHES "^ui/")
        list(APPEND roots "${SOURCE}/ui")
    endif()
    list(APPEND roots "${SOURCE}/core")
    foreach(root IN LISTS roots)
        if(EXISTS "${root}/${name}")
            get_filename_component(found "${root}/${name}" ABSOLUTE)
            set(${out} "${found}" PARENT_SCOPE)
            return()
        endif()
    endforeach()
    set(${out} "" PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE _layering_sources "${SOURCE}/core/*.h" "${SOURCE}/core/*.cpp" "${SOURCE}/ui/*.h" "${SOURCE}/ui/*.cpp")
foreach(_f IN LISTS _layering_sources)
    _layer_of("${_f}" _from)
    file(STRINGS "${_f}" _includes REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
    foreach(_inc IN LISTS _includes)
        string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"([^\"]+)\".*" "\\1" _name "${_inc}")
        _resolve("${_f}" "${_name}" _target)
        if(NOT _target)
            continue() # generated (moc, ui) or not ours
        endif()
        _layer_of("${_target}" _to)
        if(_to STREQUAL _from OR _to STREQUAL "core/=logging")
            continue()
        endif()
        set(_ok TRUE)
        if(_from MATCHES "^core/=(.*)$")
            # Root files of core: appcore may include anything in core; others only model.
            if(NOT CMAKE_MATCH_1 STREQUAL "appcore" AND NOT _to STREQUAL "core/model")
                set(_ok FALSE)
            endif()
            if(_to MATCHES "^ui/")
                set(_ok FALSE)
            endif()
        elseif(_from MATCHES "^core/(.*)$")
            set(_folder "${CMAKE_MATCH_1}")
            if(_to MATCHES "^core/([^=].*)$")
                list(FIND _allowed_${_folder} "${CMAKE_MATCH_1}" _i)
                if(_i LESS 0)
                    set(_ok FALSE)
                endif()
            else()
                set(_ok FALSE) # appcore, or anything outside core
            endif()
        elseif(_from STREQUAL "ui/common")
            if(_to MATCHES "^ui/")
                set(_ok FALSE)
            endif()
        elseif(_from MATCHES "^ui/(.*)$")
            if(_to STREQUAL "ui/shell")
                set(_ok FALSE)
            endif()
        endif()
        if(NOT _ok)
            file(RELATIVE_PATH _shown "${SOURCE}" "${_f}")
            string(APPEND _layering_bad "${_shown}: ${_from} must not include \"${_name}\" (${_to})\n")
        endif()
    endforeach()
endforeach()

if(_layering_bad)
    message(FATAL_ERROR "Includes that run against the layers (ARCHITECTURE.md):\n${_layering_bad}")
endif()
message(STATUS "Layers hold: core free of widgets, every include runs downward (${SOURCE})")
