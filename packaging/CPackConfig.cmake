# Packages for Tessera, included OPTIONAL at the end of the top-level CMakeLists.txt (so every install()
# rule of the tree is known). Build the release preset, then from build/release run `cpack` (all
# generators of this platform) or `cpack -G TGZ`. The GUI's and CLI's own install() rules live next to
# their targets (app/gui, app/cli); this file only adds metadata and the Linux desktop integration.

set(CPACK_PACKAGE_NAME "tessera")
set(CPACK_PACKAGE_VENDOR "Tessera contributors")
set(CPACK_PACKAGE_CONTACT "Tessera contributors <tessera@tessera.invalid>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "Tessera is a native desktop studio and command line tool for Midjourney-style image generation "
    "through third-party HTTP APIs, with a local history and image archive and an offline demo provider.")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Tessera")
set(CPACK_PACKAGE_EXECUTABLES "tessera" "Tessera")
set(CPACK_STRIP_FILES ON)
set(CPACK_VERBATIM_VARIABLES ON)

set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build/" "/build-[^/]*/" "/\\.cache/" "\\.user$")

if(APPLE)
    # app/gui installs tessera.app at the top of the image. Bundling Qt into it (macdeployqt or
    # qt_generate_deploy_app_script) is the GUI target's business and not wired yet.
    set(CPACK_GENERATOR "DragNDrop")
    set(CPACK_DMG_VOLUME_NAME "Tessera")
elseif(WIN32)
    # ZIP always; NSIS when makensis is installed. Qt's and QtKeychain's DLLs must be deployed next to
    # tessera.exe (windeployqt or qt_generate_deploy_app_script) before either package is usable.
    set(CPACK_GENERATOR "ZIP")
    find_program(TESSERA_MAKENSIS makensis)
    if(TESSERA_MAKENSIS)
        list(APPEND CPACK_GENERATOR "NSIS")
        set(CPACK_NSIS_DISPLAY_NAME "Tessera")
        set(CPACK_NSIS_PACKAGE_NAME "Tessera")
        set(CPACK_NSIS_URL_INFO_ABOUT "${PROJECT_HOMEPAGE_URL}")
        set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
    endif()
else()
    set(CPACK_GENERATOR "TGZ")
    find_program(TESSERA_DPKG_DEB dpkg-deb)
    if(TESSERA_DPKG_DEB)
        list(APPEND CPACK_GENERATOR "DEB")
    endif()

    # Debian 12 package names (checked with apt-cache on bookworm). Listed by hand rather than with
    # dpkg-shlibdeps because the plugins (SQLite driver, SVG icons, WebP/TIFF readers) are loaded at run
    # time and no linker dependency names them. Debian 13 renamed some libraries (t64); adjust there.
    set(CPACK_DEBIAN_PACKAGE_DEPENDS
        "libqt6widgets6 (>= 6.4)"
        "libqt6network6 (>= 6.4)"
        "libqt6concurrent6 (>= 6.4)"
        "libqt6sql6-sqlite (>= 6.4)"
        "libqt6svg6 (>= 6.4)"
        "libqt6keychain1"
        "qt6-image-formats-plugins")
    list(JOIN CPACK_DEBIAN_PACKAGE_DEPENDS ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
    # API keys live in the desktop's Secret Service; without one Tessera can only use the demo account.
    set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager")
    set(CPACK_DEBIAN_PACKAGE_SECTION "graphics")
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
    set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")

    # Desktop integration: the launcher entry and the icon it names (Icon=tessera).
    include(GNUInstallDirs)
    configure_file("${CMAKE_CURRENT_LIST_DIR}/linux/tessera.desktop.in"
        "${CMAKE_BINARY_DIR}/packaging/tessera.desktop" @ONLY)
    install(FILES "${CMAKE_BINARY_DIR}/packaging/tessera.desktop"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/applications")
    set(_tessera_icons "${PROJECT_SOURCE_DIR}/resources/icons")
    if(EXISTS "${_tessera_icons}/tessera.svg")
        install(FILES "${_tessera_icons}/tessera.svg"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps")
    endif()
    if(EXISTS "${_tessera_icons}/tessera-256.png")
        install(FILES "${_tessera_icons}/tessera-256.png"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/256x256/apps" RENAME "tessera.png")
    endif()
    unset(_tessera_icons)
endif()

include(CPack)
